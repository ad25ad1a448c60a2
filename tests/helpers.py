"""Paths and small spec builders shared by the tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
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
