"""Two distributions, built cleanly, and visible to type checkers after the README's set-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import GENERATED, REPO

USER_MODULE = """\
from __future__ import annotations

from kubeapi import Client
from kubeapi.core_v1 import Pod
from kubeforge.fake import FakeServer


def names(server: FakeServer) -> list[str | None]:
    with Client() as kube:
        pods: list[Pod] = list(kube.core_v1.pods().list())
    return [pod.metadata.name for pod in pods] + [server.url]
"""


def _build_wheel(project: Path, dist: Path) -> tuple[list[str], str]:
    """Build with setuptools' own backend; (the wheel's file names, all it printed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"from setuptools import build_meta; print(build_meta.build_wheel({str(dist)!r}))"
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = dist / result.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist(), result.stdout + result.stderr


def _copy(names: list[str], target: Path) -> Path:
    target.mkdir()
    for name in names:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target / name)
    return target


def _warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if "warn" in line.lower() or "!!" in line]


def test_the_kubeforge_wheel_has_the_generator_and_no_kubeapi(tmp_path: Path) -> None:
    project = _copy(
        ["pyproject.toml", "setup.cfg", "README.md", "generator", "templates"],
        tmp_path / "src",
    )
    files, output = _build_wheel(project, tmp_path)
    assert not [f for f in files if f.startswith("kubeapi")], "kubeapi is its own distribution"
    for needed in (
        "kubeforge/cli.py",
        "kubeforge/py.typed",
        "kubeforge/fake/server.py",
        "kubeforge/data/kubernetes-1.36.json.gz",
        "kubeforge/templates/group_module.py.jinja",
        "kubeforge/templates/_runtime/client.py.jinja",
        "kubeforge/templates/_runtime/model.py",
        "kubeforge/templates/proxy.py",
    ):
        assert needed in files, needed
    assert _warnings(output) == []


def test_the_kubeapi_wheel_is_the_generated_package(tmp_path: Path) -> None:
    project = tmp_path / "generated"
    shutil.copytree(GENERATED, project, ignore=shutil.ignore_patterns("__pycache__", "build"))
    files, output = _build_wheel(project, tmp_path)
    modules = {f for f in files if f.startswith("kubeapi/")}
    expected = {
        p.relative_to(GENERATED).as_posix()
        for p in (GENERATED / "kubeapi").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert modules == expected
    assert _warnings(output) == []


@pytest.fixture
def user_module(tmp_path: Path) -> Path:
    path = tmp_path / "app.py"
    path.write_text(USER_MODULE)
    return path


def test_mypy_sees_both_packages_after_the_set_up(user_module: Path) -> None:
    """No MYPYPATH: the editable installs of the README's set-up are enough."""
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user_module)]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=user_module.parent
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_basedpyright_sees_both_packages_after_the_set_up(user_module: Path) -> None:
    binary = Path(sys.executable).parent / "basedpyright"
    (user_module.parent / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}')
    command = [str(binary), "--outputjson", "--pythonpath", sys.executable, str(user_module)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=user_module.parent)
    report = json.loads(result.stdout)
    assert report["generalDiagnostics"] == [], report["generalDiagnostics"]
    assert report["summary"]["errorCount"] == 0
