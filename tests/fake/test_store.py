"""How the fake server stores writes: what create and replace keep or refuse, when generation
and resourceVersion move, delete preconditions, continue tokens, and the event history a
watch replays (each event keeps the object as it was at its own resourceVersion)."""

from __future__ import annotations

import json
from typing import Any

import httpx

CM = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"


def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _pod(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "i"}]}}


def test_create_without_a_name_is_invalid_with_the_cause(http: httpx.Client) -> None:
    answer = http.post(CM, json={"data": {"a": "1"}})
    assert answer.status_code == 422
    assert answer.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
        "reason": "Invalid",
        "code": 422,
        "details": {
            "name": "",
            "kind": "ConfigMap",
            "causes": [
                {
                    "reason": "FieldValueRequired",
                    "message": "Required value: name or generateName is required",
                    "field": "metadata.name",
                }
            ],
        },
    }
    assert http.get(CM).json()["items"] == []


def test_a_given_name_wins_over_generate_name_and_is_unique(http: httpx.Client) -> None:
    made = _created(http.post(CM, json={"metadata": {"name": "fixed", "generateName": "gen-"}}))
    assert made["metadata"]["name"] == "fixed"
    again = http.post(CM, json={"metadata": {"name": "fixed"}})
    assert again.status_code == 409
    assert again.json()["reason"] == "AlreadyExists"
    assert again.json()["message"] == 'configmaps "fixed" already exists'
    assert again.json()["details"] == {"name": "fixed", "kind": "configmaps"}
    assert [i["metadata"]["name"] for i in http.get(CM).json()["items"]] == ["fixed"]


def test_cluster_scoped_objects_drop_a_namespace_they_were_sent_with(http: httpx.Client) -> None:
    body = {"metadata": {"name": "team", "namespace": "default"}}
    made = _created(http.post("/api/v1/namespaces", json=body))
    assert "namespace" not in made["metadata"]
    assert "namespace" not in http.get("/api/v1/namespaces/team").json()["metadata"]


def test_replace_keeps_what_the_server_owns_and_answers_compact_utf8(
    http: httpx.Client,
) -> None:
    made = _created(http.post(CM, json={"metadata": {"name": "keep"}, "data": {"a": "1"}}))
    # A client that sends back only what it owns: no uid, timestamps, namespace or types.
    answer = http.put(f"{CM}/keep", json={"metadata": {"name": "keep"}, "data": {"a": "café"}})
    assert answer.status_code == 200, answer.text
    stored = http.get(f"{CM}/keep")
    obj = stored.json()
    assert set(obj) == {"apiVersion", "kind", "metadata", "data"}
    assert (obj["apiVersion"], obj["kind"], obj["data"]) == ("v1", "ConfigMap", {"a": "café"})
    meta = obj["metadata"]
    for kept in ("uid", "creationTimestamp", "namespace", "name"):
        assert meta[kept] == made["metadata"][kept], kept
    assert int(meta["resourceVersion"]) > int(made["metadata"]["resourceVersion"])
    # The bytes on the wire are what kube-apiserver writes: compact JSON, UTF-8 unescaped.
    assert stored.content == json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def test_replace_with_another_name_is_refused(http: httpx.Client) -> None:
    _created(http.post(CM, json={"metadata": {"name": "a"}, "data": {"k": "v"}}))
    answer = http.put(f"{CM}/a", json={"metadata": {"name": "b"}, "data": {"k": "w"}})
    assert (answer.status_code, answer.json()["reason"]) == (400, "BadRequest")
    assert answer.json()["message"] == (
        "the name of the object (b) does not match the name on the URL (a)"
    )
    assert http.get(f"{CM}/a").json()["data"] == {"k": "v"}
    assert http.get(f"{CM}/b").status_code == 404


def test_replacing_a_cluster_scoped_object(http: httpx.Client) -> None:
    _created(http.post("/api/v1/namespaces", json={"metadata": {"name": "team"}}))
    body = {"metadata": {"name": "team", "labels": {"tier": "gold"}}}
    answer = http.put("/api/v1/namespaces/team", json=body)
    assert answer.status_code == 200, answer.text
    meta = http.get("/api/v1/namespaces/team").json()["metadata"]
    assert meta["labels"] == {"tier": "gold"} and "namespace" not in meta


def test_generation_counts_changes_and_a_same_replace_changes_nothing(
    http: httpx.Client,
) -> None:
    made = _created(http.post(CM, json={"metadata": {"name": "g"}, "data": {"n": "0"}}))
    assert made["metadata"]["generation"] == 1
    for n in (1, 2):
        body = {"metadata": {"name": "g"}, "data": {"n": str(n)}}
        assert http.put(f"{CM}/g", json=body).status_code == 200
    current = http.get(f"{CM}/g").json()
    assert current["metadata"]["generation"] == 3
    rv = current["metadata"]["resourceVersion"]
    # The same content again, without apiVersion and kind: nothing changes, no new version.
    same = {"metadata": {"name": "g"}, "data": {"n": "2"}}
    answer = http.put(f"{CM}/g", json=same)
    assert answer.status_code == 200, answer.text
    assert answer.json()["metadata"]["resourceVersion"] == rv
    assert answer.json()["metadata"]["generation"] == 3
    assert http.get(CM).json()["metadata"]["resourceVersion"] == rv


def test_status_is_written_only_through_its_subresource(http: httpx.Client) -> None:
    _created(http.post(PODS, json=_pod("p")))
    running = {**_pod("p"), "status": {"phase": "Running"}}
    assert http.put(f"{PODS}/p/status", json=running).status_code == 200
    # A write to the pod itself keeps the stored status, whatever status it carries.
    failed = {**_pod("p"), "status": {"phase": "Failed"}, "metadata": {"name": "p", "labels": {}}}
    answer = http.put(f"{PODS}/p", json=failed)
    assert answer.status_code == 200, answer.text
    stored = http.get(f"{PODS}/p").json()
    assert stored["status"] == {"phase": "Running"}
    assert set(stored) == {"apiVersion", "kind", "metadata", "spec", "status"}
    # A status write without a status clears it.
    cleared = http.put(f"{PODS}/p/status", json=_pod("p"))
    assert cleared.status_code == 200, cleared.text
    assert "status" not in http.get(f"{PODS}/p").json()


def test_delete_preconditions_are_checked(http: httpx.Client) -> None:
    made = _created(http.post(CM, json={"metadata": {"name": "d"}}))
    uid, rv = made["metadata"]["uid"], made["metadata"]["resourceVersion"]
    stale = http.request(
        "DELETE", f"{CM}/d", json={"preconditions": {"resourceVersion": "1"}}
    ).json()
    assert (stale["code"], stale["reason"]) == (409, "Conflict")
    assert stale["message"] == (
        'Operation cannot be fulfilled on configmaps "d": Precondition failed: '
        f"ResourceVersion in precondition: 1, ResourceVersion in object meta: {rv}"
    )
    assert stale["details"] == {"name": "d", "kind": "configmaps"}
    other = http.request("DELETE", f"{CM}/d", json={"preconditions": {"uid": "other"}}).json()
    assert other["message"] == (
        'Operation cannot be fulfilled on configmaps "d": Precondition failed: '
        f"UID in precondition: other, UID in object meta: {uid}"
    )
    assert http.get(f"{CM}/d").status_code == 200
    matching = {"preconditions": {"uid": uid, "resourceVersion": rv}}
    assert http.request("DELETE", f"{CM}/d", json=matching).status_code == 200
    assert http.get(f"{CM}/d").status_code == 404


def test_a_watch_replays_each_event_with_the_object_as_it_was(http: httpx.Client) -> None:
    start = http.get(PODS).json()["metadata"]["resourceVersion"]
    added = _created(http.post(PODS, json=_pod("w")))
    running = {**_pod("w"), "status": {"phase": "Running"}}
    modified = http.put(f"{PODS}/w/status", json=running).json()
    deleted = http.delete(f"{PODS}/w").json()
    versions = [o["metadata"]["resourceVersion"] for o in (added, modified, deleted)]
    assert len(set(versions)) == 3
    query = {"watch": "true", "resourceVersion": start, "timeoutSeconds": "2"}
    with http.stream("GET", PODS, params=query, timeout=10) as response:
        events = [json.loads(line) for line in response.iter_lines() if line]
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert [e["object"]["metadata"]["resourceVersion"] for e in events] == versions
    assert ["resourceversion" not in e["object"]["metadata"] for e in events] == [True] * 3
    assert "status" not in events[0]["object"]
    assert events[1]["object"]["status"] == {"phase": "Running"}


def test_the_newest_64_continue_tokens_stay_valid(http: httpx.Client) -> None:
    for name in ("a", "b"):
        _created(http.post(CM, json={"metadata": {"name": name}}))
    tokens = [http.get(CM, params={"limit": 1}).json()["metadata"]["continue"] for _ in range(65)]
    expired = http.get(CM, params={"limit": 1, "continue": tokens[0]})
    assert (expired.status_code, expired.json()["reason"]) == (410, "Expired")
    assert expired.json()["message"] == (
        "The provided continue parameter is too old to display a consistent list result. "
        "You can start a new list without the continue parameter."
    )
    for token in (tokens[1], tokens[-1]):
        rest = http.get(CM, params={"limit": 1, "continue": token})
        assert rest.status_code == 200
        assert [i["metadata"]["name"] for i in rest.json()["items"]] == ["b"]
