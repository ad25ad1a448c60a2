"""Paths and small spec builders shared by the tests."""

from __future__ import annotations

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
