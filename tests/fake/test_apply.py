"""Server-side apply: ownership by field manager, conflicts, forced takeover, removal by omission."""

from __future__ import annotations

from typing import Any

import httpx

from kubeforge.fake.apply import from_fields_v1, to_fields_v1

URL = "/apis/apps/v1/namespaces/default/deployments/web"
APPLY = {"Content-Type": "application/apply-patch+yaml"}


def _config(
    replicas: int,
    labels: dict[str, str] | None = None,
    containers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": labels or {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": containers or [{"name": "web", "image": "nginx"}]},
            },
        },
    }


def _apply(
    http: httpx.Client, body: dict[str, Any], manager: str, force: bool = False
) -> httpx.Response:
    params = {"fieldManager": manager, **({"force": "true"} if force else {})}
    return http.patch(URL, params=params, json=body, headers=APPLY)


def _owners(obj: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for entry in obj["metadata"]["managedFields"]:
        out[f"{entry['manager']}/{entry['operation']}"] = {
            "/".join(p) for p in from_fields_v1(entry["fieldsV1"])
        }
    return out


def test_apply_creates_then_owns_its_fields(http: httpx.Client) -> None:
    created = _apply(http, _config(1), "ci")
    assert created.status_code == 201
    owners = _owners(created.json())
    assert "f:spec/f:replicas" in owners["ci/Apply"]
    assert "f:metadata/f:labels/f:app" in owners["ci/Apply"]
    again = _apply(http, _config(2), "ci")
    assert again.status_code == 200 and again.json()["spec"]["replicas"] == 2


def test_a_second_manager_conflicts_until_it_forces(http: httpx.Client) -> None:
    _apply(http, _config(1), "ci")
    conflict = _apply(http, _config(5), "autoscaler")
    assert conflict.status_code == 409
    status = conflict.json()
    assert status["reason"] == "Conflict"
    assert (
        status["message"]
        == 'Apply failed with 1 conflict: conflict with "ci" using apps/v1: .spec.replicas'
    )
    assert status["details"]["causes"][0]["field"] == ".spec.replicas"
    forced = _apply(http, _config(5), "autoscaler", force=True).json()
    assert forced["spec"]["replicas"] == 5
    owners = _owners(forced)
    assert "f:spec/f:replicas" in owners["autoscaler/Apply"]
    assert "f:spec/f:replicas" not in owners["ci/Apply"]


def test_same_values_are_shared_not_conflicting(http: httpx.Client) -> None:
    _apply(http, _config(1), "ci")
    assert _apply(http, _config(1), "other").status_code == 200


def test_fields_a_manager_stops_applying_are_removed(http: httpx.Client) -> None:
    _apply(http, _config(1, labels={"app": "web", "tier": "front"}), "ci")
    after = _apply(http, _config(1, labels={"app": "web"}), "ci").json()
    assert after["metadata"]["labels"] == {"app": "web"}


def test_plain_writes_are_update_managers_that_apply_conflicts_with(http: httpx.Client) -> None:
    _apply(http, _config(1), "ci")
    scaled = http.patch(
        f"{URL}/scale",
        json={"spec": {"replicas": 3}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert scaled.status_code == 200
    http.patch(
        URL,
        params={"fieldManager": "kubectl-edit"},
        json={"spec": {"replicas": 4}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    conflict = _apply(http, _config(1), "ci")
    assert conflict.status_code == 409
    assert 'conflict with "kubectl-edit"' in conflict.json()["message"]


def test_list_map_items_are_owned_per_key(http: httpx.Client) -> None:
    _apply(http, _config(1), "ci")
    sidecar = _config(1, containers=[{"name": "log", "image": "fluentbit"}])
    del sidecar["spec"]["replicas"]
    merged = _apply(http, sidecar, "sidecar-injector").json()
    assert [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]] == ["web", "log"]


def test_fields_v1_round_trip() -> None:
    paths = {
        ("f:metadata", "f:labels", "f:app"),
        ("f:spec", "f:containers", 'k:{"name":"web"}', "f:image"),
    }
    tree = to_fields_v1(paths)
    assert tree == {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}},
    }
    assert from_fields_v1(tree) == paths


def test_objects_a_manager_stops_applying_go_with_their_fields(http: httpx.Client) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2}}
    first = {**_config(1), "spec": {**_config(1)["spec"], "strategy": strategy}}
    assert _apply(http, first, "ci").status_code == 201
    # Another manager's field beside it stays.
    merge = {"Content-Type": "application/merge-patch+json"}
    other = {"spec": {"minReadySeconds": 5}}
    patched = http.patch(URL, params={"fieldManager": "ops"}, json=other, headers=merge)
    assert patched.status_code == 200
    dropped = _apply(http, _config(1), "ci").json()
    assert "strategy" not in dropped["spec"], dropped["spec"]
    assert dropped["spec"]["minReadySeconds"] == 5
    stored = http.get(URL).json()
    assert "strategy" not in stored["spec"] and stored["spec"]["replicas"] == 1
