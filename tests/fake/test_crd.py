"""Acceptance (fake server) 5: a CRD round trip, ending in a client generated from the server."""

from __future__ import annotations

import importlib
import json
import ssl
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from kubeforge.cli import main
from kubeforge.fake import FakeServer

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "scope": "Namespaced",
        "names": {
            "plural": "crontabs",
            "singular": "crontab",
            "kind": "CronTab",
            "shortNames": ["ct"],
        },
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {
                    "status": {},
                    "scale": {
                        "specReplicasPath": ".spec.replicas",
                        "statusReplicasPath": ".status.replicas",
                    },
                },
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "cronSpec": {"type": "string"},
                                    "replicas": {"type": "integer"},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "template": {
                                        "type": "object",
                                        "properties": {
                                            "image": {"type": "string"},
                                            "args": {"type": "array", "items": {"type": "string"}},
                                        },
                                    },
                                    "extra": {
                                        "type": "object",
                                        "x-kubernetes-preserve-unknown-fields": True,
                                    },
                                },
                            },
                            "status": {
                                "type": "object",
                                "properties": {"replicas": {"type": "integer"}},
                            },
                        },
                    }
                },
            }
        ],
    },
}


def _http(server: FakeServer) -> httpx.Client:
    verify = ssl.create_default_context(cafile=server.ca_file)
    return httpx.Client(
        base_url=server.url, verify=verify, headers={"Authorization": f"Bearer {server.token}"}
    )


def test_a_crd_is_served_discovered_published_and_generated(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    with _http(fake_api) as http:
        etag = http.get("/openapi/v2").headers["ETag"]
        created = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=CRD)
        assert created.status_code == 201
        crd = http.get(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"
        ).json()
        assert {c["type"]: c["status"] for c in crd["status"]["conditions"]} == {
            "NamesAccepted": "True",
            "Established": "True",
        }

        resources = {
            r["name"]: r for r in http.get("/apis/stable.example.com/v1").json()["resources"]
        }
        assert (
            resources["crontabs"]["shortNames"] == ["ct"]
            and resources["crontabs"]["kind"] == "CronTab"
        )
        assert "crontabs/status" in resources and "crontabs/scale" in resources
        assert any(g["name"] == "stable.example.com" for g in http.get("/apis").json()["groups"])
        spec = http.get("/openapi/v2")
        assert spec.headers["ETag"] != etag
        definition = spec.json()["definitions"]["com.example.stable.v1.CronTab"]
        assert definition["x-kubernetes-group-version-kind"] == [
            {"group": "stable.example.com", "version": "v1", "kind": "CronTab"}
        ]
        assert (
            definition["properties"]["spec"]["properties"]["extra"][
                "x-kubernetes-preserve-unknown-fields"
            ]
            is True
        )

        events: list[tuple[str, str]] = []

        def watch() -> None:
            with (
                _http(fake_api) as w,
                w.stream(
                    "GET",
                    "/apis/stable.example.com/v1/namespaces/default/crontabs",
                    params={"watch": "true", "timeoutSeconds": "3"},
                ) as stream,
            ):
                for line in stream.iter_lines():
                    if line:
                        event = json.loads(line)
                        events.append((event["type"], event["object"]["metadata"]["name"]))

        mark = fake_api.request_count()
        watcher = threading.Thread(target=watch)
        watcher.start()
        fake_api.wait_for_request(lambda seen: seen.query.get("watch") == "true", after=mark)
        body = {
            "apiVersion": "stable.example.com/v1",
            "kind": "CronTab",
            "metadata": {"name": "nightly"},
            "spec": {"cronSpec": "0 0 * * *", "replicas": 1},
        }
        assert (
            http.post(
                "/apis/stable.example.com/v1/namespaces/default/crontabs", json=body
            ).status_code
            == 201
        )
        scaled = http.patch(
            "/apis/stable.example.com/v1/namespaces/default/crontabs/nightly/scale",
            json={"spec": {"replicas": 4}},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert scaled.json()["spec"]["replicas"] == 4
        watcher.join()
        assert events == [("ADDED", "nightly"), ("MODIFIED", "nightly")]

    out = tmp_path / "gen"
    assert (
        main(
            [
                "generate",
                "--quiet",
                "--server",
                fake_api.url,
                "--token",
                fake_api.token,
                "--ca-file",
                str(fake_api.ca_file),
                "--out",
                str(out),
                "--package",
                "crdapi",
            ]
        )
        == 0
    )
    sys.path.insert(0, str(out))
    try:
        kubeapi = importlib.import_module("crdapi")
        stable = importlib.import_module("crdapi.stable_example_v1")
        config = kubeapi.Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
        with kubeapi.Client(config) as kube:
            crontabs = kube.stable_example_v1.crontabs()
            nightly = crontabs.get("nightly")
            assert isinstance(nightly, stable.CronTab)
            assert nightly.spec.cron_spec == "0 0 * * *" and nightly.spec.replicas == 4
            made = crontabs.create(
                stable.CronTab(
                    metadata={"name": "hourly"},
                    spec=stable.CronTabSpec(
                        cron_spec="0 * * * *",
                        port="http",
                        template=stable.CronTabSpecTemplate(image="busybox"),
                    ),
                )
            )
            assert made.spec.template.image == "busybox" and made.spec.port == "http"
            assert [c.metadata.name for c in crontabs.list()] == ["hourly", "nightly"]
            assert crontabs.get_scale("nightly").spec.replicas == 4
    finally:
        sys.path.remove(str(out))
        for mod in [m for m in sys.modules if m == "crdapi" or m.startswith("crdapi.")]:
            del sys.modules[mod]

    with _http(fake_api) as http:
        assert (
            http.delete(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"
            ).status_code
            == 200
        )
        assert http.get("/apis/stable.example.com/v1").status_code == 404
        assert "com.example.stable.v1.CronTab" not in http.get("/openapi/v2").json()["definitions"]


def test_a_crd_that_never_had_objects_can_be_deleted(fake_api: FakeServer) -> None:
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    with _http(fake_api) as http:
        assert http.post(crds, json=CRD).status_code == 201
        crontabs = "/apis/stable.example.com/v1/namespaces/default/crontabs"
        assert http.get(crontabs).json()["items"] == []
        gone = http.delete(f"{crds}/crontabs.stable.example.com")
        assert gone.status_code == 200, gone.text
        assert http.get(crontabs).status_code == 404
        assert http.get("/apis/stable.example.com/v1").status_code == 404


def test_custom_resources_refuse_a_strategic_merge_patch(fake_api: FakeServer) -> None:
    """Custom resources have no patch strategies: kube-apiserver answers 415 and names the
    types it takes; merge patch works."""
    crontabs = "/apis/stable.example.com/v1/namespaces/default/crontabs"
    body = {
        "apiVersion": "stable.example.com/v1",
        "kind": "CronTab",
        "metadata": {"name": "nightly"},
        "spec": {"cronSpec": "0 0 * * *", "replicas": 1},
    }
    with _http(fake_api) as http:
        crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        assert http.post(crds, json=CRD).status_code == 201
        assert http.post(crontabs, json=body).status_code == 201
        patch = json.dumps({"spec": {"replicas": 2}})
        refused = http.patch(
            f"{crontabs}/nightly",
            content=patch,
            headers={"Content-Type": "application/strategic-merge-patch+json"},
        )
        assert refused.status_code == 415
        assert refused.json()["message"] == (
            "the body of the request was in an unknown format - accepted media types include:"
            " application/json-patch+json, application/merge-patch+json,"
            ' application/apply-patch+yaml; got "application/strategic-merge-patch+json"'
        )
        assert http.get(f"{crontabs}/nightly").json()["spec"]["replicas"] == 1
        merged = http.patch(
            f"{crontabs}/nightly",
            content=patch,
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert merged.status_code == 200 and merged.json()["spec"]["replicas"] == 2
