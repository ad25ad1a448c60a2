"""The generated client against a real HTTP server: the fake API server over TLS with a token."""

from __future__ import annotations

import asyncio
import copy
import importlib
import json
import re
import threading
import time
from typing import Any

import pytest

from kubeapi import (
    ALL_NAMESPACES,
    AsyncClient,
    BadRequest,
    Client,
    Config,
    Conflict,
    NotFound,
    Unauthorized,
)
from kubeapi.apps_v1 import Deployment, DeploymentSpec
from kubeapi.core_v1 import ConfigMap, Container, Namespace, Pod, PodSpec, PodTemplateSpec
from kubeapi.meta_v1 import LabelSelector, ObjectMeta
from helpers import GeneratePackage
from kubeforge import source
from kubeforge.fake import FakeServer


def _client(server: FakeServer, namespace: str = "default") -> Client:
    return Client(
        Config(server.url, token=server.token, ca_file=server.ca_file, namespace=namespace)
    )


def test_get_list_create_replace_delete(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        pods = kube.core_v1.pods()
        created = pods.create(
            Pod(
                metadata=ObjectMeta(name="web", labels={"app": "web"}),
                spec=PodSpec(containers=[Container(name="c", image="nginx")]),
            )
        )
        assert created.metadata.uid and created.metadata.namespace == "default"
        assert pods.get("web").spec.containers[0].image == "nginx"
        pods.create(Pod(metadata=ObjectMeta(name="db", labels={"app": "db"})))
        assert [p.metadata.name for p in pods.list(label_selector="app=web")] == ["web"]
        assert [p.metadata.name for p in pods.list()] == ["db", "web"]
        pod = pods.get("web")
        pod.spec.containers[0].image = "nginx:2"
        replaced = pods.replace(pod)
        assert replaced.spec.containers[0].image == "nginx:2"
        assert replaced.metadata.resource_version != pod.metadata.resource_version
        with pytest.raises(Conflict) as info:
            pods.replace(pod)  # stale resourceVersion
        assert "the object has been modified" in info.value.message
        pods.delete("web")
        with pytest.raises(NotFound) as missing:
            pods.get("web")
        assert missing.value.message == 'pods "web" not found'


def _older_spec() -> dict[str, Any]:
    """The configmaps part of the 1.36 spec, as an older release without `binaryData`."""
    full = source.bundled().document
    paths = {
        p: item
        for p, item in full["paths"].items()
        if p.startswith("/api/v1/namespaces/{namespace}/configmaps")
    }
    keep: set[str] = set()
    pending = re.findall(r"#/definitions/([^\"]+)", json.dumps([paths, full["parameters"]]))
    while pending:
        key = pending.pop()
        if key not in keep:
            keep.add(key)
            pending.extend(
                re.findall(r"#/definitions/([^\"]+)", json.dumps(full["definitions"][key]))
            )
    definitions = {k: copy.deepcopy(full["definitions"][k]) for k in sorted(keep)}
    del definitions["io.k8s.api.core.v1.ConfigMap"]["properties"]["binaryData"]
    return {**full, "paths": paths, "definitions": definitions}


def test_fields_only_a_newer_server_knows_survive_read_modify_write(
    fake_api: FakeServer, generate_package: GeneratePackage
) -> None:
    old = generate_package(_older_spec(), "olderapi")
    old_core = importlib.import_module("olderapi.core_v1")
    assert "binary_data" not in old_core.ConfigMap._fields
    config = old.Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
    with old.Client(config) as kube:
        maps = kube.core_v1.configmaps()
        maps.create(
            old_core.ConfigMap(
                metadata={"name": "cfg"}, data={"a": "1"}, _extra={"binaryData": {"b": "AAE="}}
            )
        )
        cfg = maps.get("cfg")
        cfg.data["c"] = "3"
        maps.replace(cfg)
    with _client(fake_api) as kube:
        latest = kube.core_v1.configmaps().get("cfg")
    assert latest.data == {"a": "1", "c": "3"}
    assert latest.binary_data == {
        "b": "AAE="
    }, "the field the old client did not know was sent back"


def test_patch_apply_and_delete_collection(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        deployments = kube.apps_v1.deployments()
        template = PodTemplateSpec(
            metadata=ObjectMeta(labels={"app": "web"}),
            spec=PodSpec(containers=[Container(name="c", image="i")]),
        )
        deployments.create(
            Deployment(
                metadata=ObjectMeta(name="web"),
                spec=DeploymentSpec(
                    replicas=1,
                    selector=LabelSelector(match_labels={"app": "web"}),
                    template=template,
                ),
            )
        )
        assert deployments.patch("web", {"spec": {"replicas": 3}}).spec.replicas == 3
        assert deployments.get_scale("web").spec.replicas == 3
        patched = deployments.patch(
            "web",
            {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "j"}]}}}},
            type="strategic",
        )
        assert [c.image for c in patched.spec.template.spec.containers] == ["j"]
        applied = kube.core_v1.configmaps().apply(
            ConfigMap(metadata=ObjectMeta(name="applied"), data={"k": "v"})
        )
        assert applied.data["k"] == "v"
        kube.core_v1.configmaps().delete_collection()
        assert len(kube.core_v1.configmaps().list()) == 0


def test_cluster_scoped_resources_take_no_namespace(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        names = [n.metadata.name for n in kube.core_v1.namespaces().list()]
        assert {"default", "kube-system", "kube-public"} <= set(names)
        kube.core_v1.namespaces().create(Namespace(metadata=ObjectMeta(name="team-a")))
        kube.core_v1.pods("team-a").create(Pod(metadata=ObjectMeta(name="p")))
        kube.core_v1.pods("default").create(Pod(metadata=ObjectMeta(name="q")))
        everywhere = kube.core_v1.pods(ALL_NAMESPACES).list()
        assert sorted((p.metadata.namespace, p.metadata.name) for p in everywhere) == [
            ("default", "q"),
            ("team-a", "p"),
        ]


def test_list_pages_and_iterate(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        maps = kube.core_v1.configmaps()
        for i in range(7):
            maps.create(ConfigMap(metadata=ObjectMeta(name=f"m{i}")))
        page = maps.list(limit=3)
        assert len(page) == 3 and page.metadata.continue_
        assert [m.metadata.name for m in maps.iterate(chunk_size=2)] == [f"m{i}" for i in range(7)]


def test_watch_yields_typed_events(fake_api: FakeServer) -> None:
    """Changes made after `rv` arrive in order, typed, whenever the watch starts."""
    with _client(fake_api) as kube:
        pods = kube.core_v1.pods()
        rv = pods.list().metadata.resource_version
        pods.create(Pod(metadata=ObjectMeta(name="w")))
        pods.patch("w", {"metadata": {"labels": {"x": "y"}}})
        pods.delete("w")
        seen = []
        for event in pods.watch(resource_version=rv, timeout_seconds=30):
            seen.append((event.type, event.object.metadata.name, type(event.object)))
            if event.type == "DELETED":
                break
        assert seen == [("ADDED", "w", Pod), ("MODIFIED", "w", Pod), ("DELETED", "w", Pod)]
        assert seen and pods.list().metadata.resource_version != rv


def test_a_namespaced_client_lists_and_watches_only_its_namespace(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        kube.core_v1.namespaces().create(Namespace(metadata=ObjectMeta(name="other")))
        here, there = kube.core_v1.configmaps("default"), kube.core_v1.configmaps("other")
        rv = here.list().metadata.resource_version
        there.create(ConfigMap(metadata=ObjectMeta(name="theirs", labels={"app": "a"})))
        here.create(ConfigMap(metadata=ObjectMeta(name="mine", labels={"app": "a"})))
        here.create(ConfigMap(metadata=ObjectMeta(name="plain")))
        assert [m.metadata.name for m in here.list()] == ["mine", "plain"]
        assert [m.metadata.name for m in here.list(label_selector="app=a")] == ["mine"]
        everywhere = kube.core_v1.configmaps(ALL_NAMESPACES).list(label_selector="app=a")
        assert [(m.metadata.namespace, m.metadata.name) for m in everywhere] == [
            ("default", "mine"),
            ("other", "theirs"),
        ]
        seen = []
        for event in here.watch(resource_version=rv, label_selector="app=a", timeout_seconds=30):
            seen.append((event.type, event.object.metadata.namespace, event.object.metadata.name))
            if event.object.metadata.name == "mine":
                break
        assert seen == [("ADDED", "default", "mine")]
        here.delete_collection(label_selector="app=a")
        assert [m.metadata.name for m in here.list()] == ["plain"]
        assert [m.metadata.name for m in there.list()] == ["theirs"]


def test_dry_run_create_answers_and_stores_nothing(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        maps = kube.core_v1.configmaps()
        rv = maps.list().metadata.resource_version
        answer = maps.create(
            ConfigMap(metadata=ObjectMeta(name="dry"), data={"a": "1"}), dry_run=True
        )
        assert answer.metadata.name == "dry" and answer.data == {"a": "1"}
        assert answer.metadata.uid, "the server filled in what it would store"
        listed = maps.list()
        assert len(listed) == 0 and listed.metadata.resource_version == rv


def test_a_wrong_token_is_unauthorized(fake_api: FakeServer) -> None:
    with (
        Client(Config(fake_api.url, token="wrong", ca_file=fake_api.ca_file)) as kube,
        pytest.raises(Unauthorized),
    ):
        kube.core_v1.pods().list()


def test_the_async_client_has_the_same_surface(fake_api: FakeServer) -> None:
    async def scenario() -> list[str]:
        config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
        async with AsyncClient(config) as kube:
            pods = kube.core_v1.pods()
            await pods.create(Pod(metadata=ObjectMeta(name="a")))
            pod = await pods.get("a")
            pod.metadata.labels["k"] = "v"
            await pods.replace(pod)
            names = [p.metadata.name async for p in pods.iterate()]
            await pods.delete("a")
            return names

    assert asyncio.run(scenario()) == ["a"]


def _team_and_maps(server: FakeServer) -> None:
    """A second namespace, and in `default` maps a, b (labelled tier=web) and c (unlabelled)."""
    with _client(server) as kube:
        kube.core_v1.namespaces().create(Namespace(metadata=ObjectMeta(name="team")))
        maps = kube.core_v1.configmaps()
        for name in ("a", "b", "c"):
            labels = {"tier": "web"} if name != "c" else None
            maps.create(ConfigMap(metadata=ObjectMeta(name=name, labels=labels)))


def _stored(server: FakeServer, namespace: str) -> dict[str, dict[str, Any]]:
    with _client(server) as kube:
        found = kube.core_v1.configmaps(namespace).list().to_dict()["items"]
    return {o["metadata"]["name"]: o for o in found}


def test_every_argument_of_a_verb_reaches_the_server(fake_api: FakeServer) -> None:
    """Selectors, pages, target namespaces, dry runs, managers, force and delete options
    each change what the server does; a client that dropped one would be caught here."""
    _team_and_maps(fake_api)
    with _client(fake_api) as kube:
        maps = kube.core_v1.configmaps()
        start = maps.list().metadata.resource_version
        assert [m.metadata.name for m in maps.iterate(label_selector="tier=web", chunk_size=1)] == [
            "a",
            "b",
        ]
        with pytest.raises(BadRequest):
            maps.list(label_selector="tier in (")
        # The object's own namespace wins over the client's, for a dict and for a model.
        maps.create({"metadata": {"name": "d1", "namespace": "team"}})
        maps.create(ConfigMap(metadata=ObjectMeta(name="d2", namespace="team")))
        maps.apply(ConfigMap(metadata=ObjectMeta(name="d3", namespace="team"), data={"k": "v"}))
        assert sorted(_stored(fake_api, "team")) == ["d1", "d2", "d3"]
        # With no field manager the client names itself, as kubectl does.
        [entry] = _stored(fake_api, "default")["a"]["metadata"]["managedFields"]
        assert entry["manager"] == "kubeapi"
        maps.apply(ConfigMap(metadata=ObjectMeta(name="e"), data={"k": "1"}), field_manager="one")
        with pytest.raises(Conflict):
            maps.patch(
                "e",
                {"metadata": {"name": "e"}, "data": {"k": "2"}},
                type="apply",
                field_manager="two",
            )
        forced = maps.patch(
            "e",
            {"metadata": {"name": "e"}, "data": {"k": "2"}},
            type="apply",
            field_manager="two",
            force=True,
        )
        assert forced.data == {"k": "2"}
        maps.delete_collection(label_selector="tier=web", field_selector="metadata.name=b")
        assert sorted(_stored(fake_api, "default")) == ["a", "c", "e"]
        with pytest.raises(Conflict):
            maps.delete("a", resource_version="1")
        maps.delete("a")
        assert sorted(_stored(fake_api, "default")) == ["c", "e"]
        changes = maps.watch(
            resource_version=start, field_selector="metadata.name=e", timeout_seconds=1
        )
        assert {(e.type, e.object.metadata.name) for e in changes} == {
            ("ADDED", "e"),
            ("MODIFIED", "e"),
        }
        assert repr(kube.core_v1.pods("team")) == "PodClient(pods, namespace='team')"


def test_delete_options_reach_the_garbage_collector(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        maps, pods = kube.core_v1.configmaps(), kube.core_v1.pods()
        owner = maps.create(ConfigMap(metadata=ObjectMeta(name="owner")))
        ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.metadata.uid}
        pods.create({"metadata": {"name": "dep", "ownerReferences": [ref]}})
        maps.delete("owner", propagation_policy="Orphan")
        assert pods.get("dep").metadata.owner_references == []


def test_the_async_client_passes_every_argument_too(fake_api: FakeServer) -> None:
    _team_and_maps(fake_api)
    config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)

    async def scenario() -> None:
        async with AsyncClient(config) as kube:
            maps = kube.core_v1.configmaps()
            start = (await maps.list()).metadata.resource_version
            with pytest.raises(BadRequest):
                await maps.list(label_selector="tier in (")
            page = await maps.list(label_selector="tier=web", limit=1)
            assert [m.metadata.name for m in page] == ["a"]
            rest = await maps.list(continue_=page.metadata.continue_)
            assert [m.metadata.name for m in rest] == ["b"]
            names = [
                m.metadata.name async for m in maps.iterate(label_selector="tier=web", chunk_size=1)
            ]
            assert names == ["a", "b"]
            assert (await maps.create({"metadata": {"name": "dry"}}, dry_run=True)).metadata.name
            await maps.create({"metadata": {"name": "d1", "namespace": "team"}, "data": {"k": "v"}})
            await maps.create(ConfigMap(metadata=ObjectMeta(name="d2", namespace="team")))
            await maps.apply(ConfigMap(metadata=ObjectMeta(name="d3", namespace="team")))
            [entry] = _stored(fake_api, "team")["d1"]["metadata"]["managedFields"]
            assert entry["manager"] == "kubeapi"
            await maps.apply(ConfigMap(metadata=ObjectMeta(name="e"), data={"k": "1"}))
            patch = {"metadata": {"name": "e"}, "data": {"k": "2"}}
            with pytest.raises(Conflict):
                await maps.patch("e", patch, type="apply", field_manager="two")
            forced = await maps.patch("e", patch, type="apply", field_manager="two", force=True)
            assert forced.data == {"k": "2"}
            seen = [
                (e.type, e.object.metadata.name)
                async for e in maps.watch(field_selector="metadata.name=c", timeout_seconds=1)
            ]
            assert seen == [("ADDED", "c")]
            await maps.delete_collection(
                label_selector="tier=web", field_selector="metadata.name=b"
            )
            with pytest.raises(Conflict):
                await maps.delete("a", resource_version="1")
            await maps.delete("a")
            changes = maps.watch(
                resource_version=start, field_selector="metadata.name=e", timeout_seconds=1
            )
            assert {(e.type, e.object.metadata.name) async for e in changes} == {
                ("ADDED", "e"),
                ("MODIFIED", "e"),
            }
            owner = await maps.create(ConfigMap(metadata=ObjectMeta(name="owner")))
            ref = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": "owner",
                "uid": owner.metadata.uid,
            }
            await kube.core_v1.pods().create(
                {"metadata": {"name": "dep", "ownerReferences": [ref]}}
            )
            await maps.delete("owner", propagation_policy="Orphan")
            assert (await kube.core_v1.pods().get("dep")).metadata.owner_references == []
            assert repr(kube.core_v1.pods("team")) == "AsyncPodClient(pods, namespace='team')"

    asyncio.run(scenario())
    assert sorted(_stored(fake_api, "team")) == ["d1", "d2", "d3"]
    assert sorted(_stored(fake_api, "default")) == ["c", "e"]
