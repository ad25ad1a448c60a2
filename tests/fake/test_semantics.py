"""List and watch semantics: namespace scoping, label and field selectors (objects entering
and leaving them), deletecollection with selectors, dry-run on every write verb.

Watches start from a recorded resourceVersion and read until a sentinel object: every
event between is in the server's log, so no test waits on time.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

CM = "/api/v1/namespaces/{ns}/configmaps"


def _cm(name: str, labels: dict[str, str] | None = None, **data: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def _namespace(http: httpx.Client, name: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    assert http.post("/api/v1/namespaces", json=body).status_code == 201


def _rv(http: httpx.Client, path: str = "/api/v1/configmaps") -> str:
    rv: str = http.get(path).json()["metadata"]["resourceVersion"]
    return rv


def _create(http: httpx.Client, ns: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = http.post(CM.format(ns=ns), json=body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def _merge(http: httpx.Client, ns: str, name: str, patch: dict[str, Any]) -> dict[str, Any]:
    answer = http.patch(
        f"{CM.format(ns=ns)}/{name}",
        content=json.dumps(patch),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert answer.status_code == 200, answer.text
    patched: dict[str, Any] = answer.json()
    return patched


def _watch(
    http: httpx.Client, path: str, rv: str, until: str, **params: str
) -> list[tuple[str, str, str, str]]:
    """(type, namespace, name, resourceVersion) of each event, up to the sentinel `until`."""
    seen = []
    query = {"watch": "true", "resourceVersion": rv, "timeoutSeconds": "30", **params}
    with http.stream("GET", path, params=query, timeout=40) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            event = json.loads(line)
            meta = event["object"]["metadata"]
            seen.append(
                (event["type"], meta.get("namespace", ""), meta["name"], meta["resourceVersion"])
            )
            if meta["name"] == until:
                return seen
    raise AssertionError(f"the watch ended before {until} arrived: {seen}")


def _names(http: httpx.Client, path: str, **params: str) -> list[tuple[str, str]]:
    items = http.get(path, params=params).json()["items"]
    return [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in items]


def test_a_namespaced_list_and_watch_see_only_their_namespace(http: httpx.Client) -> None:
    for ns in ("team-a", "team-b"):
        _namespace(http, ns)
    rv = _rv(http)
    _create(http, "team-b", _cm("other"))
    _create(http, "team-a", _cm("mine"))
    _merge(http, "team-b", "other", {"data": {"x": "1"}})
    _create(http, "team-a", _cm("sentinel"))
    events = _watch(http, CM.format(ns="team-a"), rv, "sentinel")
    assert [(t, ns, n) for t, ns, n, _ in events] == [
        ("ADDED", "team-a", "mine"),
        ("ADDED", "team-a", "sentinel"),
    ]
    assert _names(http, CM.format(ns="team-a")) == [("team-a", "mine"), ("team-a", "sentinel")]
    everywhere = _watch(http, "/api/v1/configmaps", rv, "sentinel")
    assert [(t, ns, n) for t, ns, n, _ in everywhere] == [
        ("ADDED", "team-b", "other"),
        ("ADDED", "team-a", "mine"),
        ("MODIFIED", "team-b", "other"),
        ("ADDED", "team-a", "sentinel"),
    ]


def test_a_label_selector_watch_sees_objects_enter_and_leave(http: httpx.Client) -> None:
    path = CM.format(ns="default")
    rv = _rv(http)
    _create(http, "default", _cm("x", {"app": "a"}))
    _create(http, "default", _cm("y"))
    _merge(http, "default", "y", {"metadata": {"labels": {"app": "a"}}})  # y enters
    left = _merge(http, "default", "x", {"metadata": {"labels": {"app": "b"}}})  # x leaves
    _merge(http, "default", "x", {"data": {"unseen": "1"}})  # outside the selector
    _merge(http, "default", "y", {"data": {"seen": "1"}})  # inside it
    assert http.delete(f"{path}/y").status_code == 200
    _create(http, "default", _cm("z", {"app": "b"}))  # never inside
    _create(http, "default", _cm("sentinel", {"app": "a"}))
    events = _watch(http, path, rv, "sentinel", labelSelector="app=a")
    assert [(t, n) for t, _, n, _ in events] == [
        ("ADDED", "x"),
        ("ADDED", "y"),
        ("DELETED", "x"),
        ("MODIFIED", "y"),
        ("DELETED", "y"),
        ("ADDED", "sentinel"),
    ]
    # Leaving is reported at the event's resourceVersion, with the last matching content.
    assert events[2][3] == left["metadata"]["resourceVersion"]
    assert _names(http, path, labelSelector="app=a") == [("default", "sentinel")]
    assert _names(http, path, labelSelector="app!=a") == [("default", "x"), ("default", "z")]
    assert _names(http, path, labelSelector="app in (a,b),app!=b") == [("default", "sentinel")]


def test_a_field_selector_watch_and_list(http: httpx.Client) -> None:
    path = CM.format(ns="default")
    rv = _rv(http)
    _create(http, "default", _cm("one"))
    _create(http, "default", _cm("two"))
    _merge(http, "default", "two", {"data": {"a": "1"}})
    _merge(http, "default", "one", {"data": {"a": "1"}})
    _create(http, "default", _cm("sentinel"))
    events = _watch(http, "/api/v1/configmaps", rv, "one", fieldSelector="metadata.name=one")
    assert [(t, n) for t, _, n, _ in events] == [("ADDED", "one")]
    later = _watch(http, path, events[-1][3], "sentinel", fieldSelector="metadata.name!=two")
    assert [(t, n) for t, _, n, _ in later] == [("MODIFIED", "one"), ("ADDED", "sentinel")]
    assert _names(
        http, "/api/v1/configmaps", fieldSelector="metadata.namespace=default,metadata.name=two"
    ) == [("default", "two")]


def test_deletecollection_deletes_only_what_the_selectors_match(http: httpx.Client) -> None:
    path = CM.format(ns="default")
    for name, labels in (
        ("a1", {"app": "a"}),
        ("a2", {"app": "a"}),
        ("b1", {"app": "b"}),
        ("n", None),
    ):
        _create(http, "default", _cm(name, labels))
    _namespace(http, "elsewhere")
    _create(http, "elsewhere", _cm("a3", {"app": "a"}))
    assert http.delete(path, params={"labelSelector": "app=a"}).status_code == 200
    assert _names(http, path) == [("default", "b1"), ("default", "n")]
    assert _names(http, CM.format(ns="elsewhere")) == [("elsewhere", "a3")]
    assert http.delete(path, params={"fieldSelector": "metadata.name=n"}).status_code == 200
    assert _names(http, path) == [("default", "b1")]


def _state(http: httpx.Client) -> tuple[str, list[Any]]:
    listed = http.get(CM.format(ns="default")).json()
    return listed["metadata"]["resourceVersion"], listed["items"]


@pytest.mark.parametrize(
    ("verb", "method", "suffix", "content_type", "body"),
    [
        ("create", "POST", "", "application/json", _cm("new", {"app": "a"})),
        ("update", "PUT", "/cm", "application/json", _cm("cm", {"app": "b"}, k="v")),
        ("merge patch", "PATCH", "/cm", "application/merge-patch+json", {"data": {"k": "v"}}),
        (
            "json patch",
            "PATCH",
            "/cm",
            "application/json-patch+json",
            [{"op": "add", "path": "/data/k", "value": "v"}],
        ),
        (
            "strategic patch",
            "PATCH",
            "/cm",
            "application/strategic-merge-patch+json",
            {"data": {"k": "v"}},
        ),
        ("apply", "PATCH", "/cm", "application/apply-patch+yaml", _cm("cm", {"app": "c"}, k="v")),
        ("delete", "DELETE", "/cm", "application/json", {}),
        ("deletecollection", "DELETE", "", "application/json", {}),
    ],
)
def test_dry_run_answers_every_write_and_changes_nothing(
    http: httpx.Client, verb: str, method: str, suffix: str, content_type: str, body: Any
) -> None:
    _create(http, "default", _cm("cm", {"app": "a"}, old="1"))
    before = _state(http)
    params = {"dryRun": "All"}
    if verb == "apply":
        params.update(fieldManager="test", force="true")
    answer = http.request(
        method,
        CM.format(ns="default") + suffix,
        params=params,
        content=json.dumps(body),
        headers={"Content-Type": content_type},
    )
    assert answer.status_code in (200, 201), answer.text
    result = answer.json()
    if verb in ("create", "update", "apply"):
        assert result["metadata"]["labels"] == body["metadata"]["labels"], "the would-be object"
    if verb.endswith("patch") or verb == "apply":
        assert result["data"]["k"] == "v"
    assert _state(http) == before, "nothing stored, no resourceVersion spent"
    _create(http, "default", _cm("sentinel"))
    events = _watch(http, CM.format(ns="default"), before[0], "sentinel")
    assert [n for _, _, n, _ in events] == ["sentinel"], "no event for a dry run"
