import pytest

from kubeforge.fake.selectors import field_selector, label_selector
from kubeforge.fake.status import StatusError

LABELS = {"app": "web", "tier": "front", "env": "prod"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app=db", False),
        ("app in (web, db)", True),
        ("app notin (web,db)", False),
        ("env notin (dev)", True),
        ("tier", True),
        ("!tier", False),
        ("!missing", True),
        ("missing", False),
        ("app=web,tier=front,env in (prod)", True),
        ("app=web, tier=back", False),
        ("missing!=x", True),
    ],
)
def test_label_selector_syntax(selector: str, matches: bool) -> None:
    assert label_selector(selector)(LABELS) is matches


def test_bad_label_selector_is_a_bad_request() -> None:
    with pytest.raises(StatusError) as info:
        label_selector("app in web")
    assert info.value.code == 400 and "unable to parse requirement" in info.value.message


def test_field_selector_on_metadata() -> None:
    obj = {"metadata": {"name": "a", "namespace": "ns"}}
    assert field_selector("metadata.name=a")(obj)
    assert not field_selector("metadata.name!=a")(obj)
    assert field_selector("metadata.namespace==ns,metadata.name=a")(obj)
    with pytest.raises(StatusError) as info:
        field_selector("spec.nodeName=x")
    assert info.value.message == "field label not supported: spec.nodeName"
