"""Acceptance (fake server) 1: kubectl, which nobody here wrote, works against the fake server.

kubectl talks to it over TLS with a bearer token from a written kubeconfig; every test
gets a fresh --cache-dir so cached discovery never hides a server bug.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kubeforge.fake import FakeServer

Kubectl = Callable[..., str]
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
"""
CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: "fast"}
"""


@pytest.fixture
def kubectl(fake_api: FakeServer, tmp_path: Path) -> Kubectl:
    binary = shutil.which("kubectl")
    assert binary, "kubectl is required: .ci/run installs it (Debian kubernetes-client)"
    config = fake_api.write_kubeconfig(tmp_path / "kubeconfig")

    def run(*args: str, stdin: str | None = None, check: bool = True) -> str:
        cmd = [binary, f"--kubeconfig={config}", f"--cache-dir={tmp_path / 'cache'}", *args]
        result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
        return result.stdout + (result.stderr if not check else "")

    return run


def _create(kubectl: Kubectl, tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return kubectl("create", "-f", str(path))


def test_discovery_raw_get_and_api_resources(kubectl: Kubectl) -> None:
    batch = json.loads(kubectl("get", "--raw", "/apis/batch/v1"))
    assert {r["name"] for r in batch["resources"]} >= {"jobs", "cronjobs", "jobs/status"}
    table = kubectl("api-resources")
    assert any(line.split()[:2] == ["deployments", "deploy"] for line in table.splitlines())
    assert any(line.split()[:2] == ["pods", "po"] for line in table.splitlines())


def test_create_get_label_annotate_scale(kubectl: Kubectl, tmp_path: Path) -> None:
    assert _create(kubectl, tmp_path, "d.yaml", DEPLOYMENT).strip() == "deployment.apps/web created"
    assert _create(kubectl, tmp_path, "c.yaml", CONFIGMAP).strip() == "configmap/settings created"
    assert json.loads(kubectl("get", "pods", "-o", "json"))["items"] == []
    listed = kubectl("get", "deploy", "-l", "app=web")
    assert listed.splitlines()[1].split()[0] == "web"
    assert "No resources found" in kubectl("get", "deploy", "-l", "app=other", check=False)
    kubectl("label", "deploy", "web", "tier=front")
    kubectl("annotate", "deploy", "web", "note=hello")
    assert kubectl("scale", "deploy", "web", "--replicas=3").strip() == "deployment.apps/web scaled"
    web = json.loads(kubectl("get", "deploy", "web", "-o", "json"))
    assert web["spec"]["replicas"] == 3
    assert web["metadata"]["labels"] == {"app": "web", "tier": "front"}
    assert web["metadata"]["annotations"] == {"note": "hello"}


def test_apply_twice_with_a_change_between(kubectl: Kubectl, tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text(CONFIGMAP)
    assert kubectl("apply", "-f", str(path)).strip() == "configmap/settings created"
    path.write_text(CONFIGMAP.replace('mode: "fast"', 'mode: "safe", extra: "1"'))
    assert kubectl("apply", "-f", str(path)).strip() == "configmap/settings configured"
    assert kubectl("apply", "-f", str(path)).strip() == "configmap/settings unchanged"
    data = json.loads(kubectl("get", "cm", "settings", "-o", "json"))
    assert data["data"] == {"mode": "safe", "extra": "1"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in data["metadata"]["annotations"]


def test_patch_in_every_flavour(kubectl: Kubectl, tmp_path: Path) -> None:
    _create(kubectl, tmp_path, "d.yaml", DEPLOYMENT)
    kubectl("patch", "deploy", "web", "--type", "merge", "-p", '{"spec":{"replicas":2}}')
    kubectl(
        "patch",
        "deploy",
        "web",
        "--type",
        "json",
        "-p",
        '[{"op":"add","path":"/metadata/labels/x","value":"y"}]',
    )
    sidecar = '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}'
    kubectl("patch", "deploy", "web", "--type", "strategic", "-p", sidecar)
    web = json.loads(kubectl("get", "deploy", "web", "-o", "json"))
    assert web["spec"]["replicas"] == 2
    assert web["metadata"]["labels"]["x"] == "y"
    containers = web["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == [
        "web",
        "sidecar",
    ], "strategic merge keeps the list merged by name"


def test_delete_and_watch_see_every_change(
    kubectl: Kubectl, fake_api: FakeServer, tmp_path: Path
) -> None:
    binary = shutil.which("kubectl")
    assert binary
    config = tmp_path / "kubeconfig"
    watcher = subprocess.Popen(
        [
            binary,
            f"--kubeconfig={config}",
            f"--cache-dir={tmp_path / 'wcache'}",
            "get",
            "cm",
            "-w",
            "--output-watch-events",
            "--request-timeout=20s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # kubectl lists, then watches from the list's resourceVersion: once that watch has
        # started, every later change reaches it.
        fake_api.wait_for_request(
            lambda seen: seen.path.endswith("/configmaps") and seen.query.get("watch") == "true"
        )
        _create(kubectl, tmp_path, "c.yaml", CONFIGMAP)
        kubectl("label", "cm", "settings", "x=y")
        assert kubectl("delete", "cm", "settings").strip() == 'configmap "settings" deleted'
        assert "NotFound" in kubectl("get", "cm", "settings", check=False)
        assert watcher.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("DELETED"):
            line = watcher.stdout.readline()
            assert line, f"kubectl's watch ended early: {lines}"
            if not line.startswith("EVENT"):
                lines.append(line)
    finally:
        watcher.terminate()
        watcher.communicate(timeout=10)
    events = [line.split()[:2] for line in lines]
    assert events == [["ADDED", "settings"], ["MODIFIED", "settings"], ["DELETED", "settings"]]


def test_protobuf_bodies_are_refused_with_a_clear_415(kubectl: Kubectl) -> None:
    """Known limit: `kubectl create configmap --from-literal` posts protobuf, which is not served."""
    out = kubectl("create", "configmap", "lit", "--from-literal=a=b", check=False)
    assert 'got "application/vnd.kubernetes.protobuf"' in out


def test_server_side_apply_and_its_conflicts(kubectl: Kubectl, tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(DEPLOYMENT)
    assert (
        kubectl("apply", "--server-side", "-f", str(path)).strip()
        == "deployment.apps/web serverside-applied"
    )
    kubectl("scale", "deploy", "web", "--replicas=4")
    out = kubectl("apply", "--server-side", "-f", str(path), check=False)
    assert "conflict with" in out and ".spec.replicas" in out
    forced = kubectl("apply", "--server-side", "--force-conflicts", "-f", str(path))
    assert forced.strip() == "deployment.apps/web serverside-applied"
    assert json.loads(kubectl("get", "deploy", "web", "-o", "json"))["spec"]["replicas"] == 1
