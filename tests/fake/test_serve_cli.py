"""`kubeforge serve` runs the fake server in the foreground and writes what clients need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import kubectl_binaries, serve

from kubeapi import Client, load_config
from kubeforge.fake.server import new_token


def _kubectl(binary: str, kubeconfig: Path, cache: Path, *args: str, stdin: str = "") -> str:
    cmd = [binary, f"--kubeconfig={kubeconfig}", f"--cache-dir={cache}", *args]
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{Path(binary).name} {' '.join(args)}: {result.stderr}"
    return result.stdout


def test_plain_serve_is_https_and_its_kubeconfig_works_with_kubectl(tmp_path: Path) -> None:
    with serve() as (kubeconfig, err):
        assert err[0].startswith("kubeforge: serving https://127.0.0.1:"), err
        config = yaml.safe_load(kubeconfig.read_text())
        token = config["users"][0]["user"]["token"]
        assert not token.startswith("-") and len(token) >= 32
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
        manifest = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
        binaries = kubectl_binaries()
        _kubectl(binaries["kubectl"], kubeconfig, tmp_path, "create", "-f", "-", stdin=manifest)
        for name, binary in binaries.items():  # kubectl 1.27 cannot create: see the protobuf issue
            got = _kubectl(binary, kubeconfig, tmp_path / name, "get", "cm", "cm", "-o", "json")
            assert json.loads(got)["metadata"]["name"] == "cm", name
    assert not kubeconfig.exists(), "the server's temporary directory goes when it stops"


def test_serve_writes_a_kubeconfig_and_a_service_account(tmp_path: Path) -> None:
    kubeconfig, account = tmp_path / "kubeconfig", tmp_path / "sa"
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('from-file-token,admin,1,"system:masters"\n')
    args = ["--token-file", str(tokens), "--write-kubeconfig", str(kubeconfig)]
    with serve(*args, "--write-service-account", str(account)) as (printed, err):
        assert printed == kubeconfig.resolve()
        assert err[0].startswith("kubeforge: serving https://127.0.0.1:"), err
        with Client(load_config(str(kubeconfig))) as kube:
            names = [n.metadata.name for n in kube.core_v1.namespaces().list()]
        assert "kube-system" in names
        assert (account / "token").read_text() == "from-file-token"
        assert (account / "namespace").read_text() == "default"
        assert "BEGIN CERTIFICATE" in (account / "ca.crt").read_text()
        url = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        host, port = url.removeprefix("https://").rsplit(":", 1)
        script = (
            "from kubeapi import Client\n"
            "with Client() as kube:\n"
            "    print(kube.core_v1.configmaps().create({'metadata': {'name': 'in-pod'}})"
            ".metadata.namespace)\n"
        )
        env = {
            **os.environ,
            "KUBERNETES_SERVICE_HOST": host,
            "KUBERNETES_SERVICE_PORT": port,
            "KUBEAPI_SERVICEACCOUNT_ROOT": str(account),
            "KUBECONFIG": "/nonexistent",
        }
        pod = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
        )
        assert pod.returncode == 0, pod.stderr
        assert pod.stdout.strip() == "default"


def test_insecure_http_is_explicit_and_kubectl_works_with_it(tmp_path: Path) -> None:
    with serve("--insecure-http") as (kubeconfig, err):
        assert err[0].startswith("kubeforge: serving http://127.0.0.1:"), err
        assert "no authentication" in err[1]
        binary, cache = kubectl_binaries()["kubectl"], tmp_path / "cache"
        manifest = json.dumps(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "plain"}}
        )
        _kubectl(binary, kubeconfig, cache, "create", "-f", "-", stdin=manifest)
        found = json.loads(
            _kubectl(binary, kubeconfig, cache, "get", "namespace", "plain", "-o", "json")
        )
        assert found["metadata"]["name"] == "plain"


def test_made_up_tokens_never_start_with_a_dash() -> None:
    tokens = [new_token() for _ in range(2000)]
    assert len(set(tokens)) == 2000
    assert all(t[0] != "-" and len(t) == 48 for t in tokens)
