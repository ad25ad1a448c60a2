"""The README's Quick start runs as written against a server started as the README says."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO

from kubeapi import Client, NotFound, load_config

README = (REPO / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def _block(section: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", _section(section), re.S)
    assert match, f"no {language} block under '## {section}'"
    return match.group(1)


def test_the_quick_start_runs_against_kubeforge_serve(tmp_path: Path) -> None:
    command = shlex.split(_block("Start a server", "sh").strip())
    assert command[0] == "kubeforge"
    serve = subprocess.Popen(
        [sys.executable, "-m", "kubeforge", *command[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert serve.stdout is not None
        line = serve.stdout.readline().strip()
        assert line.startswith("export KUBECONFIG="), line
        kubeconfig = shlex.split(line.removeprefix("export "))[0].split("=", 1)[1]
        script = tmp_path / "quick_start.py"
        script.write_text(_block("Quick start", "python"))
        env = {**os.environ, "KUBECONFIG": kubeconfig}
        run = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == ["listed web", "replicas 3", "DELETED web"]
        # What it did is on the server: the Deployment scaled, the Pod gone.
        assert yaml.safe_load(Path(kubeconfig).read_text())["current-context"] == "kubeforge"
        with Client(load_config(kubeconfig)) as kube:
            deployment = kube.apps_v1.deployments().get("web")
            assert deployment.spec.replicas == 3
            assert deployment.spec.template.spec.containers[0].image == "nginx:1.27"
            with pytest.raises(NotFound):
                kube.core_v1.pods().get("web")
    finally:
        serve.terminate()
        serve.wait(timeout=10)
