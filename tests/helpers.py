"""Paths, small spec builders and a `kubeforge serve` runner shared by the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "generated"

# generate_package(document, name, discovery=None) -> the imported package
GeneratePackage = Callable[..., Any]


def minimal_spec(
    definitions: dict[str, Any], paths: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "test", "version": "v0"},
        "paths": paths or {},
        "definitions": definitions,
    }


def thing_spec() -> dict[str, Any]:
    """The smallest useful spec: one group (example), one model (Thing)."""
    return minimal_spec(
        {"io.example.v1.Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}
    )


def kubectl_binaries() -> dict[str, str]:
    """kubectl binaries to judge with, by name: `kubectl`, and the oldest and newest of the
    versioned ones (`kubectl.1.27` ...) the image keeps beside it, when it has them."""
    found = shutil.which("kubectl")
    assert found, "kubectl is required: .ci/run installs it (Debian kubernetes-client)"
    binaries = {"kubectl": found}
    versioned = sorted(
        Path(os.path.realpath(found)).parent.glob("kubectl.1.*"),
        key=lambda p: int(p.name.rsplit(".", 1)[1]),
    )
    for path in versioned[:1] + versioned[-1:]:
        binaries[path.name] = str(path)
    return binaries


@contextmanager
def serve(*args: str) -> Iterator[tuple[Path, list[str]]]:
    """`kubeforge serve ARGS`: (the kubeconfig of its `export KUBECONFIG=` line, stderr lines)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeforge", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        assert line.startswith("export KUBECONFIG="), line + proc.stderr.read()
        kubeconfig = Path(line.strip().split("=", 1)[1])
        err = [proc.stderr.readline() for _ in range(2)]
        yield kubeconfig, err
    finally:
        proc.terminate()
        proc.wait(timeout=10)
