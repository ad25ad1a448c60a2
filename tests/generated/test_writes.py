"""Every write option on every verb, patch defaults, what delete returns, and logs."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeapi import AsyncClient, BadRequest, Client, Config, Conflict, load_config
from kubeapi.apps_v1 import Deployment
from kubeapi.core_v1 import ConfigMap, Pod
from kubeapi.meta_v1 import ObjectMeta, Status
from kubeforge.fake import FakeServer


def _client(server: FakeServer) -> Client:
    return Client(Config(server.url, token=server.token, ca_file=server.ca_file))


def _snapshot(kube: Client) -> tuple[str | None, list[dict[str, Any]]]:
    listed = kube.core_v1.configmaps().list()
    return listed.metadata.resource_version, [m.to_dict() for m in listed]


def test_dry_run_on_every_write_verb_changes_nothing(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        maps = kube.core_v1.configmaps()
        current = maps.create(ConfigMap(metadata=ObjectMeta(name="cm", labels={"a": "1"})))
        before = _snapshot(kube)
        made = maps.create(ConfigMap(metadata=ObjectMeta(name="new")), dry_run=True)
        assert made.metadata.name == "new" and made.metadata.uid
        current.data = {"k": "v"}
        assert maps.replace(current, dry_run=True).data == {"k": "v"}
        assert maps.patch("cm", {"data": {"p": "1"}}, dry_run=True).data == {"p": "1"}
        applied = maps.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "cm"},
                "data": {"s": "1"},
            },
            field_manager="dry",
            force=True,
            dry_run=True,
        )
        assert applied.data["s"] == "1"
        maps.delete("cm", dry_run=True)
        maps.delete_collection(label_selector="a=1", dry_run=True)
        assert _snapshot(kube) == before


def test_field_manager_and_field_validation(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        maps = kube.core_v1.configmaps()
        mark = fake_api.request_count()
        maps.create(ConfigMap(metadata=ObjectMeta(name="cm")), field_manager="maker")
        maps.patch("cm", {"data": {"a": "1"}}, field_manager="patcher")
        maps.replace(maps.get("cm"), field_manager="replacer", field_validation="Warn")
        sent = [(s.method, s.query) for s in fake_api.requests(after=mark) if s.method != "GET"]
        assert sent == [
            ("POST", {"fieldManager": "maker"}),
            ("PATCH", {"fieldManager": "patcher"}),
            ("PUT", {"fieldManager": "replacer", "fieldValidation": "Warn"}),
        ]
        bogus = {"metadata": {"name": "strict"}, "bogus": 1}
        with pytest.raises(BadRequest, match='unknown field "bogus"'):
            maps.create(bogus, field_validation="Strict")
        assert "bogus" not in maps.create(bogus, field_validation="Ignore").to_dict()


def _deployment() -> dict[str, Any]:
    containers = [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]
    return {
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": containers},
            },
        },
    }


def test_patch_defaults_to_strategic_merge_for_built_in_kinds(fake_api: FakeServer) -> None:
    change = {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:2"}]}}}}
    with _client(fake_api) as kube:
        deployments = kube.apps_v1.deployments()
        deployments.create(_deployment())
        merged = deployments.patch("web", change)  # strategic: containers merge by name
        assert [(c.name, c.image) for c in merged.spec.template.spec.containers] == [
            ("a", "a:1"),
            ("b", "b:2"),
        ]
        replaced = deployments.patch("web", change, type="merge")  # merge: the list is replaced
        assert [c.name for c in replaced.spec.template.spec.containers] == ["b"]
        ops = [{"op": "add", "path": "/metadata/labels", "value": {"via": "json-patch"}}]
        assert deployments.patch("web", ops).metadata.labels == {"via": "json-patch"}
        model = Deployment(spec={"replicas": 4})  # type: ignore[arg-type]
        assert deployments.patch("web", model).spec.replicas == 4


def test_delete_returns_the_object_or_a_status_and_honours_preconditions(
    fake_api: FakeServer,
) -> None:
    with _client(fake_api) as kube:
        pods = kube.core_v1.pods()
        pod = pods.create({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}})
        with pytest.raises(Conflict, match="Precondition failed: UID"):
            pods.delete("p", uid="not-the-uid")
        with pytest.raises(Conflict):
            pods.delete("p", resource_version="1")
        gone = pods.delete("p", uid=pod.metadata.uid, grace_period_seconds=0)
        assert isinstance(gone, Pod) and gone.metadata.name == "p"
        pods.create({"metadata": {"name": "q"}, "spec": {"containers": [{"name": "c"}]}})
        status = {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Success",
            "details": {"name": "q"},
        }
        fake_api.inject(
            200,
            method="DELETE",
            path="/api/v1/namespaces/default/pods/q",
            body=json.dumps(status).encode(),
            content_type="application/json",
        )
        answered = pods.delete("q")
        assert isinstance(answered, Status) and answered.details.name == "q"


def test_propagation_policy_reaches_the_garbage_collector(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        sets, pods = kube.apps_v1.replicasets(), kube.core_v1.pods()
        for policy, expected in (("Orphan", ["orphan-0"]), ("Background", ["orphan-0"])):
            owner = sets.create(
                {
                    "metadata": {"name": f"rs-{policy.lower()}"},
                    "spec": {
                        "selector": {"matchLabels": {"a": "b"}},
                        "template": {
                            "metadata": {"labels": {"a": "b"}},
                            "spec": {"containers": [{"name": "c"}]},
                        },
                    },
                }
            )
            ref = {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": owner.metadata.name,
                "uid": owner.metadata.uid,
            }
            name = "orphan-0" if policy == "Orphan" else "child"
            pods.create(
                {
                    "metadata": {"name": name, "ownerReferences": [ref]},
                    "spec": {"containers": [{"name": "c"}]},
                }
            )
            sets.delete(owner.metadata.name or "", propagation_policy=policy)  # type: ignore[arg-type]
            assert [p.metadata.name for p in pods.list()] == expected


def test_logs_with_typed_options_and_followed(fake_api: FakeServer) -> None:
    with _client(fake_api) as kube:
        pods = kube.core_v1.pods()
        pods.create({"metadata": {"name": "app"}, "spec": {"containers": [{"name": "c"}]}})
        fake_api.append_log("default", "app", "one\ntwo\nthree\n")
        assert pods.get_log("app", container="c") == "one\ntwo\nthree\n"
        assert pods.get_log("app", tail_lines=1) == "three\n"
        mark = fake_api.request_count()

        def later() -> None:
            fake_api.wait_for_request(lambda s: s.query.get("follow") == "true", after=mark)
            fake_api.append_log("default", "app", "four\n")

        writer = threading.Thread(target=later)
        writer.start()
        lines = []
        for line in pods.stream_log("app", tail_lines=1):
            lines.append(line)
            if line == "four":
                break
        writer.join()
        assert lines == ["three", "four"]
        started = time.monotonic()
        assert list(pods.stream_log("app", tail_lines=1, timeout=0.5)) == ["four"]
        assert 0.4 < time.monotonic() - started < 10, "a followed log ends after its timeout"


def test_async_logs(fake_api: FakeServer) -> None:
    fake_api.add(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "app"},
            "spec": {"containers": [{"name": "c"}]},
        }
    )
    fake_api.append_log("default", "app", "a\nb\n")

    async def scenario() -> tuple[str, list[str]]:
        config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
        async with AsyncClient(config) as kube:
            pods = kube.core_v1.pods()
            text = await pods.get_log("app")
            lines = [line async for line in pods.stream_log("app", follow=False)]
            return text, lines

    assert asyncio.run(scenario()) == ("a\nb\n", ["a", "b"])


EXEC_CERT_PLUGIN = """
import json, os, sys
from datetime import datetime, timedelta, timezone
folder = sys.argv[1]
count = os.path.join(folder, "count")
n = int(open(count).read()) + 1 if os.path.exists(count) else 1
open(count, "w").write(str(n))
delay = float(sys.argv[2])
if delay:
    import time
    time.sleep(delay)
lifetime = int(sys.argv[3])
expiry = datetime.now(timezone.utc) + timedelta(seconds=lifetime if n == 1 else 3600)
status = {
    "clientCertificateData": open(os.path.join(folder, f"cert-{min(n, 2)}.pem")).read(),
    "clientKeyData": open(os.path.join(folder, f"key-{min(n, 2)}.pem")).read(),
    "expirationTimestamp": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
}
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": status}))
"""


def _exec_kubeconfig(server: FakeServer, folder: Path, delay: float, lifetime: int = -60) -> str:
    """A kubeconfig whose exec plugin hands out client certificates: user-1 (valid for
    `lifetime` seconds, by default already expired), then user-2."""
    for n in (1, 2):
        cert, key = server.client_certificate(f"user-{n}")
        (folder / f"cert-{n}.pem").write_text(cert)
        (folder / f"key-{n}.pem").write_text(key)
    plugin = folder / "plugin.py"
    plugin.write_text(EXEC_CERT_PLUGIN)
    assert server.ca_file
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "c",
                "cluster": {"server": server.url, "certificate-authority": server.ca_file},
            }
        ],
        "users": [
            {
                "name": "u",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "command": sys.executable,
                        "args": [str(plugin), str(folder), str(delay), str(lifetime)],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "c",
    }
    path = folder / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_an_expired_exec_client_certificate_is_replaced(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    with Client(load_config(_exec_kubeconfig(fake_api, tmp_path, 0, lifetime=3600))) as kube:
        mark = fake_api.request_count()
        kube.core_v1.pods().list()
        kube.core_v1.pods().list()
        plugin = kube.config.exec_plugin
        assert plugin is not None and plugin._cached is not None
        plugin._cached.expires = datetime.now(timezone.utc) - timedelta(seconds=1)  # time passes
        kube.core_v1.pods().list()
        kube.core_v1.pods().list()
    used = [s.certificate for s in fake_api.requests(after=mark)]
    assert used == ["user-1", "user-1", "user-2", "user-2"], "a new connection, new certificate"
    assert (tmp_path / "count").read_text() == "2"


def test_the_async_client_runs_exec_plugins_off_its_event_loop(
    fake_api: FakeServer, tmp_path: Path
) -> None:
    config = load_config(_exec_kubeconfig(fake_api, tmp_path, 0.5))

    async def scenario() -> int:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        async with AsyncClient(config) as kube:
            ticks = 0
            await kube.core_v1.pods().list()  # the plugin runs (0.5 s) for the expired credential
        stop.set()
        await task
        return ticks

    assert asyncio.run(scenario()) >= 20, "the loop kept running while the plugin ran"
