"""Acceptance (fake server) 2: the official Python client, configured as in a pod, works against it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from kubernetes import client, watch
from kubernetes.config import incluster_config

from kubeforge.fake import FakeServer


def test_in_cluster_official_client_lists_creates_patches_and_watches(
    fake_api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fake_api.write_service_account(tmp_path / "serviceaccount", namespace="team-a")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(root / "token"))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(root / "ca.crt"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(fake_api.port))
    namespace = (root / "namespace").read_text()
    fake_api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})

    incluster_config.load_incluster_config()
    v1 = client.CoreV1Api()
    assert v1.list_namespaced_pod(namespace).items == []
    body = client.V1Pod(
        metadata=client.V1ObjectMeta(name="web", labels={"app": "web"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx")]),
    )
    created = v1.create_namespaced_pod(namespace, body)
    assert created.metadata.uid and created.metadata.namespace == namespace
    patched = v1.patch_namespaced_pod("web", namespace, {"metadata": {"labels": {"tier": "front"}}})
    assert patched.metadata.labels == {"app": "web", "tier": "front"}
    assert [
        p.metadata.name
        for p in v1.list_namespaced_pod(namespace, label_selector="tier=front").items
    ] == ["web"]

    mark = fake_api.request_count()

    def change() -> None:
        fake_api.wait_for_request(lambda seen: seen.query.get("watch") == "true", after=mark)
        v1.patch_namespaced_pod("web", namespace, {"metadata": {"annotations": {"a": "b"}}})
        v1.delete_namespaced_pod("web", namespace)

    writer = threading.Thread(target=change)
    writer.start()
    seen = []
    for event in watch.Watch().stream(v1.list_namespaced_pod, namespace, timeout_seconds=3):
        seen.append((event["type"], event["object"].metadata.name))
        if event["type"] == "DELETED":
            break
    writer.join()
    assert seen == [("ADDED", "web"), ("MODIFIED", "web"), ("DELETED", "web")]
