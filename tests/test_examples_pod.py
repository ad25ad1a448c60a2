"""The examples for talking to the API from a pod run against the fake server as a pod would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import REPO

from kubeforge.fake import FakeServer


def _run(script: str, server: FakeServer, root: Path, *args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env.update(
        KUBERNETES_SERVICE_HOST="127.0.0.1",
        KUBERNETES_SERVICE_PORT=str(server.port),
        KUBEAPI_SERVICEACCOUNT_ROOT=str(root),
    )
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_direct_api_example(fake_api: FakeServer, tmp_path: Path) -> None:
    root = fake_api.write_service_account(tmp_path / "sa", namespace="kube-system")
    fake_api.add(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "coredns", "namespace": "kube-system"},
        }
    )
    assert _run("direct_api.py", fake_api, root, str(root)) == ["kube-system/coredns"]


def test_generated_client_example(fake_api: FakeServer, tmp_path: Path) -> None:
    root = fake_api.write_service_account(tmp_path / "sa")
    lines = _run("generated_client.py", fake_api, root)
    assert lines[0] == "namespace default via in-cluster"
    assert lines[1].startswith("configmap example-") and lines[1].endswith("{'hello': 'world'}")
    assert lines[2].startswith("event MODIFIED example-") and lines[2].endswith(
        "{'hello': 'again'}"
    )
