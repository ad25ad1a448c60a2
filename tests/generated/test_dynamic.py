"""kube.resource() for kinds the package was not generated with, and apply_manifest()."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO

from kubeapi import AsyncClient, Client, Config, DynamicObject, ResourceNotFound
from kubeapi.apiextensions_v1 import CustomResourceDefinitionClient
from kubeapi.apps_v1 import DeploymentClient
from kubeforge.fake import FakeServer

CRD = yaml.safe_load((REPO / "tests/typing/widget-crd.yaml").read_text())
API = "shop.example.com/v1"


def _config(server: FakeServer) -> Config:
    return Config(server.url, token=server.token, ca_file=server.ca_file)


def _widget(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": API, "kind": "Widget", "metadata": {"name": name}, "spec": spec}


def test_known_kinds_get_their_generated_client(fake_api: FakeServer) -> None:
    with Client(_config(fake_api)) as kube:
        deployments = kube.resource("apps/v1", "Deployment", "prod")
        assert isinstance(deployments, DeploymentClient) and deployments.namespace == "prod"
        crds = kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition", "ignored")
        assert isinstance(crds, CustomResourceDefinitionClient) and crds.namespace is None


def test_a_crd_registered_after_generation_has_every_verb(fake_api: FakeServer) -> None:
    with Client(_config(fake_api)) as kube:
        kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition").create(CRD)
        widgets = kube.resource(API, "Widget")
        start = widgets.list().metadata.resource_version

        created = widgets.create(_widget("w1", size=1, options={"future": {"kept": [1, True]}}))
        assert isinstance(created, DynamicObject) and created.metadata.namespace == "default"
        widgets.create(_widget("w2", size=2, color="red"))
        assert [w.metadata.name for w in widgets.list()] == ["w1", "w2"]
        assert [w.spec.size for w in widgets.iterate(chunk_size=1)] == [1, 2]

        w1 = widgets.get("w1")
        assert w1.spec.size == 1 and w1["spec"]["options"]["future"]["kept"] == [1, True]
        w1.spec.size = 5  # read-modify-write through attributes; unknown fields ride along
        w1.spec["color"] = "green"
        w1.metadata.labels["tier"] = "gold"
        replaced = widgets.replace(w1)
        assert replaced.to_dict()["spec"] == {
            "size": 5,
            "options": {"future": {"kept": [1, True]}},
            "color": "green",
        }
        assert replaced.metadata.labels == {"tier": "gold"}

        patched = widgets.patch("w2", {"spec": {"color": "blue"}})  # merge: a custom resource
        assert patched.spec.color == "blue" and patched.spec.size == 2
        applied = widgets.apply(_widget("w3", size=3), field_manager="test")
        assert applied.spec.size == 3
        assert widgets.get("w3").metadata.managed_fields[0].manager == "test"

        deleted = widgets.delete("w3")
        assert deleted.kind in ("Widget", "Status")
        widgets.delete_collection(label_selector="tier=gold")
        assert [w.metadata.name for w in widgets.list()] == ["w2"]

        events = []
        for event in widgets.watch(resource_version=start):
            events.append((event.type, event.object.metadata.name))
            if len(events) == 7:
                break
        assert events == [
            ("ADDED", "w1"),
            ("ADDED", "w2"),
            ("MODIFIED", "w1"),
            ("MODIFIED", "w2"),
            ("ADDED", "w3"),
            ("DELETED", "w3"),
            ("DELETED", "w1"),
        ]


def test_an_informer_on_a_dynamic_resource(fake_api: FakeServer) -> None:
    fake_api.add(CRD)
    added = threading.Event()
    with Client(_config(fake_api)) as kube:
        widgets = kube.resource(API, "Widget")
        widgets.create(_widget("before", size=1))
        names: list[str] = []

        def on_add(widget: DynamicObject) -> None:
            names.append(widget.metadata.name or "")
            if widget.metadata.name == "after":
                added.set()

        with widgets.informer(on_add=on_add) as informer:
            informer.wait_synced(timeout=10)
            widgets.create(_widget("after", size=2))
            assert added.wait(10)
            cached = informer.get("after")
            assert cached is not None and cached.spec.size == 2
        assert names == ["before", "after"]


def test_unknown_kinds_and_versions_are_named(fake_api: FakeServer) -> None:
    with Client(_config(fake_api)) as kube:
        with pytest.raises(ResourceNotFound, match="serves no apiVersion nope.example.com/v1"):
            kube.resource("nope.example.com/v1", "Thing").list()
        with pytest.raises(
            ResourceNotFound, match="apiVersion v1 serves no kind 'Pdo'; it serves: "
        ):
            kube.resource("v1", "Pdo").list()


MANIFEST = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
apiVersion: shop.example.com/v1
kind: Widget
metadata: {name: gizmo}
spec: {size: 1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
"""


def test_apply_manifest_creates_then_updates_every_object(fake_api: FakeServer) -> None:
    fake_api.add(CRD)
    with Client(_config(fake_api)) as kube:
        first = kube.apply_manifest(MANIFEST, field_manager="deploy", namespace="default")
        assert [(o.to_dict()["kind"], o.to_dict()["metadata"]["name"]) for o in first] == [
            ("ConfigMap", "settings"),
            ("Widget", "gizmo"),
            ("ClusterRole", "reader"),
        ]
        changed = MANIFEST.replace("mode: fast", "mode: slow").replace("size: 1", "size: 2")
        changed = changed.replace("verbs: [get]", "verbs: [get, list]")
        second = kube.apply_manifest(changed, field_manager="deploy")
        for before, after in zip(first, second, strict=True):
            assert int(after.to_dict()["metadata"]["resourceVersion"]) > int(
                before.to_dict()["metadata"]["resourceVersion"]
            )
        assert kube.core_v1.configmaps().get("settings").data == {"mode": "slow"}
        assert kube.resource(API, "Widget").get("gizmo").spec.size == 2
        assert kube.rbac_v1.clusterroles().get("reader").rules[0].verbs == ["get", "list"]


def test_the_async_client_finds_resources_too(fake_api: FakeServer) -> None:
    fake_api.add(CRD)

    async def scenario() -> list[str | None]:
        async with AsyncClient(_config(fake_api)) as kube:
            widgets = kube.resource(API, "Widget")
            await widgets.create(_widget("a", size=1))
            await kube.apply_manifest([_widget("b", size=2)], field_manager="m")
            return [w.metadata.name for w in await widgets.list()]

    assert asyncio.run(scenario()) == ["a", "b"]


def test_manifests_of_a_file(fake_api: FakeServer, tmp_path: Path) -> None:
    path = tmp_path / "cm.json"
    path.write_text(
        '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}]}'
    )
    with Client(_config(fake_api)) as kube:
        (applied,) = kube.apply_manifest(path.read_text())
        assert applied.to_dict()["metadata"]["name"] == "j"
        with pytest.raises(ValueError, match="document 1 has no apiVersion or kind"):
            kube.apply_manifest("metadata: {name: x}\n")
