"""`kubeforge serve` runs the fake server in the foreground and writes what clients need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from kubeapi import Client, load_config


def test_serve_writes_a_kubeconfig_and_a_service_account(tmp_path: Path) -> None:
    kubeconfig, account = tmp_path / "kubeconfig", tmp_path / "sa"
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('from-file-token,admin,1,"system:masters"\n')
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kubeforge",
            "serve",
            "--tls",
            "--token-file",
            str(tokens),
            "--write-kubeconfig",
            str(kubeconfig),
            "--write-service-account",
            str(account),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith("kubeforge: serving https://127.0.0.1:"), first
        assert (
            kubeconfig.exists() and (account / "token").exists()
        ), "written before the server says it is serving"
        with Client(load_config(str(kubeconfig))) as kube:
            names = [n.metadata.name for n in kube.core_v1.namespaces().list()]
        assert "kube-system" in names
        assert (account / "token").read_text() == "from-file-token"
        assert (account / "namespace").read_text() == "default"
        assert "BEGIN CERTIFICATE" in (account / "ca.crt").read_text()
        config = yaml.safe_load(kubeconfig.read_text())
        assert config["current-context"] == "kubeforge"
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
