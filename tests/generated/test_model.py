"""Models are live, lossless views: behaviour the round-trip test does not pin by itself."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from kubeapi.core_v1 import Container, Pod, PodList, PodSpec, Secret
from kubeapi.events_v1 import Event
from kubeapi.meta_v1 import MicroTime, ObjectMeta  # noqa: F401 - MicroTime is an alias


def test_constructors_fill_api_version_and_kind_and_take_typed_values() -> None:
    pod = Pod(
        metadata=ObjectMeta(name="web", labels={"app": "web"}),
        spec=PodSpec(containers=[Container(name="c", image="nginx")]),
    )
    assert json.loads(pod.to_json()) == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": {"app": "web"}, "name": "web"},
        "spec": {"containers": [{"image": "nginx", "name": "c"}]},
    }


def test_nested_views_are_live(each_codec: str) -> None:
    pod = Pod.from_json(b'{"spec": {"containers": [{"name": "a", "image": "old"}]}}')
    pod.spec.containers[0].image = "new"
    containers = pod.spec.containers
    containers.append(Container(name="b"))
    assert json.loads(pod.to_json())["spec"]["containers"] == [
        {"name": "a", "image": "new"},
        {"name": "b"},
    ]
    assert [c.name for c in pod.spec.containers] == ["a", "b"]


def test_reading_an_absent_object_writes_nothing_but_writing_through_it_attaches_it() -> None:
    pod = Pod()
    assert pod.spec.containers == []
    assert len(pod.metadata.labels) == 0
    assert json.loads(pod.to_json()) == {"apiVersion": "v1", "kind": "Pod"}
    pod.metadata.labels["app"] = "web"
    pod.spec.containers.append(Container(name="c"))
    assert json.loads(pod.to_json())["metadata"] == {"labels": {"app": "web"}}
    assert json.loads(pod.to_json())["spec"] == {"containers": [{"name": "c"}]}


def test_two_views_of_an_absent_object_write_to_the_same_place() -> None:
    pod = Pod()
    first, second = pod.metadata, pod.metadata
    first.name = "a"
    second.namespace = "ns"
    assert json.loads(pod.to_json())["metadata"] == {"name": "a", "namespace": "ns"}


def test_setting_none_or_deleting_removes_the_key() -> None:
    pod = Pod.from_json(b'{"metadata": {"name": "x", "namespace": "y"}}')
    pod.metadata.namespace = None
    del pod.metadata.name
    assert json.loads(pod.to_json())["metadata"] == {}


def test_times_read_as_aware_datetimes_and_write_as_rfc3339() -> None:
    meta = ObjectMeta.from_json(b'{"creationTimestamp": "2026-01-02T03:04:05Z"}')
    assert meta.creation_timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    meta.creation_timestamp = datetime(2026, 5, 6, 9, 8, 7, tzinfo=timezone(timedelta(hours=2)))
    assert json.loads(meta.to_json()) == {"creationTimestamp": "2026-05-06T07:08:07Z"}
    event = Event(event_time=datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=timezone.utc))
    assert json.loads(event.to_json())["eventTime"] == "2026-01-01T00:00:00.123456Z"


def test_list_kinds_iterate_their_items(each_codec: str) -> None:
    body = json.dumps({"kind": "PodList", "items": [{"metadata": {"name": n}} for n in "abc"]})
    pods = PodList.from_json(body)
    assert len(pods) == 3
    assert [p.metadata.name for p in pods] == ["a", "b", "c"]


def test_from_dict_is_a_view_and_to_dict_a_copy() -> None:
    data = {"metadata": {"name": "a"}}
    pod = Pod.from_dict(data)
    pod.metadata.name = "b"
    assert data["metadata"]["name"] == "b"
    copy = pod.to_dict()
    copy["metadata"]["name"] = "c"
    assert pod.metadata.name == "b"


def test_equality_is_by_content() -> None:
    assert Pod.from_json(b'{"a": 1, "metadata": {"name": "x"}}') == Pod.from_dict(
        {"metadata": {"name": "x"}, "a": 1}
    )
    assert Pod.from_json(b'{"metadata": {"name": "x"}}') != Pod.from_json(
        b'{"metadata": {"name": "y"}}'
    )


def test_repr_is_readable_and_keeps_secrets_out() -> None:
    secret = Secret(
        metadata=ObjectMeta(name="db"),
        data={"password": "aHVudGVyMg=="},
        string_data={"token": "s3cret"},
    )
    text = repr(secret)
    assert "Secret(" in text and "name='db'" in text
    assert "aHVudGVyMg" not in text and "s3cret" not in text
    assert "data=<redacted>" in text
    assert repr(Pod.from_json(b'{"zz": 1}')) == "Pod(_extra={'zz': 1})"


def test_a_document_that_is_not_an_object_is_refused(each_codec: str) -> None:
    for body in (b"[1, 2]", b'"text"', b"3"):
        with pytest.raises(ValueError, match="expected a JSON object"):
            Pod.from_json(body)


def test_values_of_the_wrong_shape_are_still_kept(each_codec: str) -> None:
    pod = Pod.from_json(b'{"spec": {"containers": null, "volumes": 5}, "status": "odd"}')
    assert pod.spec.containers == []
    assert json.loads(pod.to_json()) == {
        "spec": {"containers": None, "volumes": 5},
        "status": "odd",
    }


def test_importing_models_loads_no_heavy_modules() -> None:
    """What keeps `from kubeapi.core_v1 import Pod` fast: transport, TLS, codecs, typing and
    the stdlib modules models do not need at import time load on use."""
    import subprocess
    import sys

    heavy = ("asyncio", "httpx", "ssl", "msgspec", "orjson", "yaml", "dataclasses", "typing")
    heavy += ("re", "json", "datetime", "collections", "contextlib", "enum")
    script = f"import sys; from kubeapi.core_v1 import Pod; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("later", ["orjson", "json"])
def test_objects_decoded_lazily_survive_another_codec(later: str) -> None:
    """An informer's cache outlives a codec.select(): its lazy values stay readable."""
    from kubeapi._runtime import codec

    assert codec.select("msgspec") == "msgspec"
    body = b'{"metadata":{"name":"x","labels":{"a":"b"}},"spec":{"containers":[{"name":"c"}]},"zz":[1,true]}'
    pod = Pod.from_json(body)
    try:
        assert codec.select(later) == later
        assert pod.spec.containers[0].name == "c"
        assert json.loads(pod.to_json()) == json.loads(body)
        assert pod.to_dict()["zz"] == [1, True]
        assert Pod.from_json(body).metadata.labels == {"a": "b"}
    finally:
        codec.select()
