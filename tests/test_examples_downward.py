"""The Downward API examples, run as scripts against prepared environments and volumes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from helpers import REPO

from kubeapi.downward import format_map


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POD_", "NODE_", "HOST_", "SERVICE_", "CONTAINER_", "KUBEAPI_"))
    }
    env.update(PYTHONIOENCODING="utf-8", **extra)
    return env


def _run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "examples" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


class Kubelet:
    """Writes a downwardAPI volume as the kubelet does: timestamped dir, `..data`, symlinks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.updates = 0
        root.mkdir()

    def write(self, files: dict[str, str]) -> str:
        data = self.root / "..data"
        old = os.readlink(data) if data.is_symlink() else None
        self.updates += 1
        stamp = time.strftime("..%Y_%m_%d_%H_%M_%S", time.gmtime()) + f".{self.updates:09d}"
        (self.root / stamp).mkdir()
        for name, text in files.items():
            (self.root / stamp / name).write_text(text, encoding="utf-8")
        os.symlink(stamp, self.root / "..data_tmp")
        os.rename(self.root / "..data_tmp", data)
        for name in files:
            if not (self.root / name).is_symlink():
                os.symlink(f"..data/{name}", self.root / name)
        if old is not None:
            shutil.rmtree(self.root / old)
        return stamp


def _pod(labels: dict[str, str], annotations: dict[str, str]) -> dict[str, str]:
    return {
        "podName": "web-7d9f",
        "podNamespace": "shop",
        "uid": "3c0d6c2e-0000-4000-8000-000000000001",
        "labels": format_map(labels),
        "annotations": format_map(annotations),
        "cpu_limit": "500",
        "mem_limit": "131072",
    }


def test_env_example_prints_every_variable() -> None:
    env = _env(
        POD_NAME="web-7d9f",
        MY_NAMESPACE="shop",
        POD_IPS="10.1.2.3,fd00::3",
        SERVICE_ACCOUNT="web",
        CONTAINER_CPU_LIMIT_MILLICORES="500",
        CONTAINER_MEMORY_LIMIT_KIBIBYTES="131072",
    )
    result = _run("downward_env.py", env, "--name", "namespace=MY_NAMESPACE")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "pod_name: web-7d9f",
        "namespace: shop",
        "pod_ip: <unset>",
        "pod_ips: 10.1.2.3,fd00::3",
        "node_name: <unset>",
        "host_ip: <unset>",
        "service_account: web",
        "pod_uid: <unset>",
        "cpu_request: <unset>",
        "cpu_limit: 500 millicores",
        "memory_request: <unset>",
        "memory_limit: 131072 KiB",
    ]


def test_env_example_reports_a_malformed_number() -> None:
    result = _run("downward_env.py", _env(CONTAINER_CPU_LIMIT_MILLICORES="500m"))
    assert result.returncode == 2
    assert "CONTAINER_CPU_LIMIT_MILLICORES='500m' is not a whole number" in result.stderr


def test_volume_example_prints_the_volume(tmp_path: Path) -> None:
    kubelet = Kubelet(tmp_path / "podinfo")
    stamp = kubelet.write(
        _pod({"app": "web", "tier": 'say "hi"'}, {"note": "two\nlines", "empty": ""})
    )
    result = _run("downward_volume.py", _env(), "--dir", str(kubelet.root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"version: {stamp}",
        "pod_name: web-7d9f",
        "namespace: shop",
        "uid: 3c0d6c2e-0000-4000-8000-000000000001",
        "cpu_limit: 500",
        "memory_limit: 131072",
        "label app='web'",
        "label tier='say \"hi\"'",
        "annotation empty=''",
        "annotation note='two\\nlines'",
    ]
    # The directory can come from the environment instead.
    again = _run("downward_volume.py", _env(KUBEAPI_DOWNWARD_DIR=str(kubelet.root)))
    assert again.stdout == result.stdout


def test_volume_example_reports_a_malformed_file(tmp_path: Path) -> None:
    kubelet = Kubelet(tmp_path / "podinfo")
    kubelet.write({"labels": 'app="web"\ntier=gold'})
    result = _run("downward_volume.py", _env(), "--dir", str(kubelet.root))
    assert result.returncode == 2
    assert f"{kubelet.root / 'labels'}:2: expected a double-quoted Go string" in result.stderr


def test_volume_example_watches_an_update(tmp_path: Path) -> None:
    kubelet = Kubelet(tmp_path / "podinfo")
    kubelet.write(_pod({"app": "web", "tier": "silver"}, {"note": "old"}))
    args = ["--dir", str(kubelet.root), "--watch", "30", "--interval", "0.05", "--changes", "1"]
    process = subprocess.Popen(
        [sys.executable, str(REPO / "examples" / "downward_volume.py"), *args],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    killer = threading.Timer(60, process.kill)  # bounds the readline below
    killer.start()
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("watching"):
            line = process.stdout.readline()
            assert line, "the example ended before watching"
            lines.append(line)
        stamp = kubelet.write(_pod({"app": "web", "tier": "gold", "canary": "yes"}, {}))
        out, err = process.communicate(timeout=30)
    finally:
        killer.cancel()
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == 0, err
    assert out.splitlines() == [
        f"update {stamp}: labels, annotations",
        "  label + canary='yes'",
        "  label ~ tier: 'silver' -> 'gold'",
        "  annotation - note='old'",
        "1 change(s)",
    ]
