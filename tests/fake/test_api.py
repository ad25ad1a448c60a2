"""The fake server's HTTP surface: discovery shapes, OpenAPI caching, errors and auth wording."""

from __future__ import annotations

import ssl

import httpx

from kubeforge.fake import FakeServer


def test_discovery_is_shaped_like_the_real_servers(http: httpx.Client) -> None:
    assert http.get("/api").json()["versions"] == ["v1"]
    groups = {g["name"]: g for g in http.get("/apis").json()["groups"]}
    assert groups["autoscaling"]["preferredVersion"] == {
        "groupVersion": "autoscaling/v2",
        "version": "v2",
    }
    assert http.get("/apis/apps").json()["kind"] == "APIGroup"
    core = {r["name"]: r for r in http.get("/api/v1").json()["resources"]}
    assert core["pods"]["shortNames"] == ["po"] and core["pods"]["categories"] == ["all"]
    assert core["pods"]["singularName"] == "pod" and core["pods"]["namespaced"] is True
    assert set(core["pods/status"]["verbs"]) == {"get", "patch", "update"}
    assert core["pods/log"]["verbs"] == ["get"]
    assert core["nodes"]["namespaced"] is False
    apps = {r["name"]: r for r in http.get("/apis/apps/v1").json()["resources"]}
    assert apps["deployments/scale"]["kind"] == "Scale"


def test_openapi_v2_has_an_etag_and_gzip(http: httpx.Client) -> None:
    first = http.get("/openapi/v2")
    assert first.json()["swagger"] == "2.0"
    etag = first.headers["ETag"]
    assert http.get("/openapi/v2", headers={"If-None-Match": etag}).status_code == 304
    compressed = http.get("/openapi/v2", headers={"Accept-Encoding": "gzip"})
    assert compressed.headers.get("Content-Encoding") == "gzip"
    assert compressed.json()["swagger"] == "2.0"
    plain = http.get("/openapi/v2", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers


def test_openapi_v3_index_and_documents(http: httpx.Client) -> None:
    index = http.get("/openapi/v3").json()["paths"]
    url = index["apis/apps/v1"]["serverRelativeURL"]
    doc = http.get(url).json()
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
    assert any(p["name"] == "fieldValidation" for p in patch["parameters"])
    assert "io.k8s.api.apps.v1.Deployment" in doc["components"]["schemas"]


def test_errors_are_status_objects_with_the_real_wording(http: httpx.Client) -> None:
    missing = http.get("/apis/apps/v1/namespaces/default/deployments/nope")
    assert missing.status_code == 404
    assert missing.json()["message"] == 'deployments.apps "nope" not found'
    assert missing.json()["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}
    assert http.get("/apis/nothing/v1").status_code == 404
    assert http.get("/no/such/path").json()["reason"] == "NotFound"
    assert http.put("/api/v1/namespaces/default/pods").status_code == 405
    protobuf = http.post(
        "/api/v1/namespaces/default/configmaps",
        content=b"k8s\0",
        headers={"Content-Type": "application/vnd.kubernetes.protobuf"},
    )
    assert protobuf.status_code == 415
    missing_ns = http.post("/api/v1/namespaces/ghost/configmaps", json={"metadata": {"name": "x"}})
    assert (missing_ns.status_code, missing_ns.json()["message"]) == (
        404,
        'namespaces "ghost" not found',
    )


def test_anonymous_requests_are_forbidden_and_wrong_tokens_unauthorized(
    fake_api: FakeServer,
) -> None:
    verify = ssl.create_default_context(cafile=fake_api.ca_file)
    with httpx.Client(base_url=fake_api.url, verify=verify) as anonymous:
        root = anonymous.get("/")
        assert root.status_code == 403
        assert root.json()["message"] == 'forbidden: User "system:anonymous" cannot get path "/"'
        assert anonymous.get("/version").status_code == 200
        pods = anonymous.get("/api/v1/namespaces/default/pods")
        assert (pods.status_code, pods.json()["message"]) == (
            403,
            'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
        )
        node = anonymous.get("/api/v1/nodes/n1/status").json()["message"]
        assert (
            node
            == 'nodes "n1" is forbidden: User "system:anonymous" cannot get resource "nodes/status" in API group "" at the cluster scope'
        )
        wrong = anonymous.get("/api", headers={"Authorization": "Bearer nope"})
        assert (wrong.status_code, wrong.json()["reason"]) == (401, "Unauthorized")


def test_generate_name_and_paged_lists(http: httpx.Client) -> None:
    for _ in range(5):
        made = http.post(
            "/api/v1/namespaces/default/configmaps", json={"metadata": {"generateName": "job-"}}
        ).json()
        assert made["metadata"]["name"].startswith("job-") and len(made["metadata"]["name"]) == 9
    page = http.get("/api/v1/namespaces/default/configmaps", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["metadata"]["remainingItemCount"] == 3
    http.post("/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "zz-later"}})
    rest = http.get(
        "/api/v1/namespaces/default/configmaps",
        params={"limit": 10, "continue": page["metadata"]["continue"]},
    ).json()
    assert len(rest["items"]) == 3, "later pages come from the first page's snapshot"
    assert rest["metadata"]["resourceVersion"] == page["metadata"]["resourceVersion"]


def test_content_negotiation_falls_back_as_kubectl_expects(http: httpx.Client) -> None:
    """Known limits, pinned: no aggregated discovery and no protobuf; kubectl falls back to JSON."""
    aggregated = (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    )
    groups = http.get("/apis", headers={"Accept": aggregated})
    assert groups.headers["Content-Type"].startswith("application/json")
    assert "apidiscovery" not in groups.headers["Content-Type"]
    assert groups.json()["kind"] == "APIGroupList"
    protobuf = http.get(
        "/openapi/v2",
        headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"},
    )
    assert protobuf.status_code == 406


def test_deleting_an_owner_collects_or_orphans_its_dependents(http: httpx.Client) -> None:
    base = "/apis/apps/v1/namespaces/default"
    owner = http.post(
        f"{base}/replicasets",
        json={
            "metadata": {"name": "rs"},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}}},
            },
        },
    ).json()
    ref = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": "rs",
        "uid": owner["metadata"]["uid"],
        "controller": True,
    }
    for name in ("p1", "p2"):
        http.post(
            "/api/v1/namespaces/default/pods",
            json={"metadata": {"name": name, "ownerReferences": [ref]}},
        )
    http.request("DELETE", f"{base}/replicasets/rs", json={"propagationPolicy": "Orphan"})
    pods = http.get("/api/v1/namespaces/default/pods").json()["items"]
    assert [(p["metadata"]["name"], p["metadata"].get("ownerReferences")) for p in pods] == [
        ("p1", []),
        ("p2", []),
    ]
    owner = http.post(
        f"{base}/replicasets",
        json={
            "metadata": {"name": "rs2"},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}}},
            },
        },
    ).json()
    ref = {**ref, "name": "rs2", "uid": owner["metadata"]["uid"]}
    http.post(
        "/api/v1/namespaces/default/pods",
        json={"metadata": {"name": "p3", "ownerReferences": [ref]}},
    )
    http.delete(f"{base}/replicasets/rs2")
    assert [
        p["metadata"]["name"] for p in http.get("/api/v1/namespaces/default/pods").json()["items"]
    ] == ["p1", "p2"]


def test_dry_run_checks_and_answers_but_stores_nothing(http: httpx.Client) -> None:
    pods = "/api/v1/namespaces/default/pods"
    made = http.post(pods, params={"dryRun": "All"}, json={"metadata": {"name": "ghost"}})
    assert made.status_code == 201 and made.json()["metadata"]["name"] == "ghost"
    assert http.get(f"{pods}/ghost").status_code == 404
    invalid = http.post(
        pods,
        params={"dryRun": "All"},
        json={"metadata": {"name": "x"}, "spec": {"containers": "no"}},
    )
    assert invalid.status_code == 422
    http.post(pods, json={"metadata": {"name": "real"}})
    http.request("DELETE", f"{pods}/real", params={"dryRun": "All"})
    assert http.get(f"{pods}/real").status_code == 200


def test_pod_logs_are_served_and_followed(http: httpx.Client, fake_api: FakeServer) -> None:
    import threading

    pods = "/api/v1/namespaces/default/pods"
    http.post(
        pods,
        json={"metadata": {"name": "app"}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
    )
    fake_api.append_log("default", "app", "one\ntwo\n")
    assert http.get(f"{pods}/app/log").text == "one\ntwo\n"
    assert http.get(f"{pods}/app/log", params={"tailLines": 1}).text == "two\n"
    assert http.get(f"{pods}/nope/log").status_code == 404

    def later() -> None:
        fake_api.wait_for_request(lambda seen: seen.query.get("follow") == "true")
        fake_api.append_log("default", "app", "three\n")

    writer = threading.Thread(target=later)
    writer.start()
    seen = ""
    with http.stream("GET", f"{pods}/app/log", params={"follow": "true"}) as stream:
        for chunk in stream.iter_text():
            seen += chunk
            if "three" in seen:
                break
    writer.join()
    assert seen == "one\ntwo\nthree\n"
