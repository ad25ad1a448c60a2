"""The fake server's HTTP surface: discovery shapes, OpenAPI caching, errors and auth wording."""

from __future__ import annotations

import json
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


def test_the_scale_subresource_reads_and_writes_replicas(http: httpx.Client) -> None:
    base = "/apis/apps/v1/namespaces/default/deployments"
    labels = {"app": "web"}
    deployment = {
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}},
        },
    }
    assert http.post(base, json=deployment).status_code == 201
    scale = http.get(f"{base}/web/scale").json()
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 0, "selector": "app=web"}
    answer = http.put(
        f"{base}/web/scale",
        params={"fieldManager": "scaler"},
        json={"metadata": {"name": "web"}, "spec": {"replicas": 5}},
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["kind"], answer.json()["spec"]) == ("Scale", {"replicas": 5})
    stored = http.get(f"{base}/web").json()
    assert stored["spec"]["replicas"] == 5
    managers = {m["manager"]: m["fieldsV1"] for m in stored["metadata"]["managedFields"]}
    assert managers["scaler"] == {"f:spec": {"f:replicas": {}}}


def test_create_refuses_another_namespace_and_records_its_manager(http: httpx.Client) -> None:
    elsewhere = {"metadata": {"name": "x", "namespace": "kube-system"}}
    refused = http.post("/api/v1/namespaces/default/configmaps", json=elsewhere)
    assert (refused.status_code, refused.json()["message"]) == (
        400,
        "the namespace of the provided object does not match the namespace sent on the request",
    )
    assert http.get("/api/v1/namespaces/kube-system/configmaps/x").status_code == 404
    made = http.post(
        "/api/v1/namespaces/default/configmaps",
        params={"fieldManager": "maker"},
        json={"metadata": {"name": "x"}, "data": {"k": "v"}},
    ).json()
    [entry] = made["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"]) == ("maker", "Update")
    assert "f:k" in entry["fieldsV1"]["f:data"]


def test_yaml_bodies_and_watch_1_are_understood(http: httpx.Client) -> None:
    cms = "/api/v1/namespaces/default/configmaps"
    text = "metadata:\n  name: from-yaml\ndata:\n  k: v\n"
    made = http.post(cms, content=text, headers={"Content-Type": "application/yaml"})
    assert made.status_code == 201, made.text
    assert http.get(f"{cms}/from-yaml").json()["data"] == {"k": "v"}
    query = {"watch": "1", "resourceVersion": "0", "timeoutSeconds": "1"}
    with http.stream("GET", cms, params=query, timeout=10) as response:
        events = [json.loads(line) for line in response.iter_lines() if line]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "from-yaml")
    ]


def test_openapi_v3_documents_are_json(http: httpx.Client) -> None:
    url = http.get("/openapi/v3").json()["paths"]["api/v1"]["serverRelativeURL"]
    document = http.get(url)
    assert document.headers["Content-Type"].startswith("application/json")
    assert document.headers["Etag"].strip('"') in url


def test_verbs_a_resource_does_not_have_are_405(http: httpx.Client) -> None:
    """componentstatuses can be listed and read, never written."""
    answer = http.post("/api/v1/componentstatuses", json={"metadata": {"name": "x"}})
    assert (answer.status_code, answer.json()["reason"]) == (405, "MethodNotAllowed")
    assert http.get("/api/v1/componentstatuses/x").status_code == 404


def test_anonymous_cluster_wide_lists_are_refused_per_resource(fake_api: FakeServer) -> None:
    verify = ssl.create_default_context(cafile=fake_api.ca_file)
    with httpx.Client(base_url=fake_api.url, verify=verify) as anonymous:
        answer = anonymous.get("/apis/apps/v1/deployments").json()
    assert answer["message"] == (
        'deployments.apps is forbidden: User "system:anonymous" cannot list resource '
        '"deployments" in API group "apps" at the cluster scope'
    )
    assert answer["details"] == {"kind": "deployments", "group": "apps"}


def test_delete_options_in_the_query_and_objects_named_like_namespaces(
    http: httpx.Client,
) -> None:
    pods = "/api/v1/namespaces/default/pods"
    cms = "/api/v1/namespaces/default/configmaps"
    owner = http.post(cms, json={"metadata": {"name": "default"}}).json()
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "default"}
    ref["uid"] = owner["metadata"]["uid"]
    dependent = {"metadata": {"name": "dep", "ownerReferences": [ref]}}
    assert http.post(pods, json=dependent).status_code == 201
    assert http.post(cms, json={"metadata": {"name": "bystander"}}).status_code == 201
    bad = http.delete(f"{cms}/default", params={"propagationPolicy": "Sometimes"})
    assert bad.status_code == 400
    # A core object named like its namespace is not a namespace: nothing else goes with it.
    gone = http.delete(f"{cms}/default", params={"propagationPolicy": "Orphan"})
    assert gone.status_code == 200
    assert http.get(f"{pods}/dep").json()["metadata"]["ownerReferences"] == []
    assert http.get(f"{cms}/bystander").status_code == 200


def test_deletecollection_answers_a_success_status(http: httpx.Client) -> None:
    cms = "/api/v1/namespaces/default/configmaps"
    assert http.post(cms, json={"metadata": {"name": "x"}}).status_code == 201
    assert http.delete(cms).json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
    }
    assert http.get(cms).json()["items"] == []


def test_a_followed_log_gets_each_new_line_at_once(
    http: httpx.Client, fake_api: FakeServer
) -> None:
    import time

    pods = "/api/v1/namespaces/default/pods"
    pod = {"metadata": {"name": "app"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    assert http.post(pods, json=pod).status_code == 201
    fake_api.append_log("default", "app", "start\n")
    started = time.monotonic()
    with http.stream("GET", f"{pods}/app/log", params={"follow": "true"}, timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines) == "start"
        for n in range(4):
            fake_api.append_log("default", "app", f"line {n}\n")
            assert next(lines) == f"line {n}"
    # Each line is pushed as it is appended, not found by a once-a-second poll.
    assert time.monotonic() - started < 2.0
