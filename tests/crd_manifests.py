"""The CRD fixtures of tests/crds (ours, shaped like popular operators' CRDs): loading them,
registering them in a fake server over HTTP, and generating a package from that server."""

from __future__ import annotations

import importlib
import json
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml
from helpers import REPO

from kubeforge.cli import main
from kubeforge.fake import FakeServer

CRDS = REPO / "tests/crds"
# Listed, not globbed: other tests keep CRDs of their own in tests/crds.
FILES = tuple(
    CRDS / name
    for name in (
        "nested.yaml",
        "cluster.yaml",
        "preserve.yaml",
        "embedded.yaml",
        "names.yaml",
        "bundle.yaml",
        "list.json",
    )
)
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def documents() -> list[dict[str, Any]]:
    """Every CRD of FILES, in file order: YAML streams split, a `kind: List` opened."""
    found: list[dict[str, Any]] = []
    for path in FILES:
        if path.suffix == ".json":
            listed = json.loads(path.read_text())
            assert listed["kind"] == "List"
            found += listed["items"]
        else:
            found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def served(crd: dict[str, Any]) -> list[str]:
    """The names of the versions a CRD serves."""
    return [v["name"] for v in crd["spec"]["versions"] if v.get("served")]


def http(server: FakeServer) -> httpx.Client:
    """A plain HTTP client for the server, authenticated and trusting its CA."""
    verify = ssl.create_default_context(cafile=server.ca_file)
    headers = {"Authorization": f"Bearer {server.token}"}
    return httpx.Client(base_url=server.url, verify=verify, headers=headers)


def register(server: FakeServer) -> None:
    """Create every fixture CRD over HTTP, as kubectl would."""
    with http(server) as client:
        for crd in documents():
            created = client.post(CRD_PATH, json=crd)
            assert created.status_code == 201, created.text


def only_fixture_groups() -> list[str]:
    """`--group` arguments for the fixtures' groups: the built-in ones need not be generated."""
    groups = sorted({crd["spec"]["group"] for crd in documents()})
    return [arg for group in groups for arg in ("--group", group)]


def generate_live(server: FakeServer, out: Path, package: str, *extra: str) -> None:
    """`kubeforge generate --server ...` into `out`."""
    args = ["generate", "--quiet", "--server", server.url, "--token", server.token]
    args += ["--ca-file", str(server.ca_file), "--out", str(out), "--package", package]
    assert main([*args, *extra]) == 0


@contextmanager
def imported(out: Path, package: str) -> Iterator[Any]:
    """The generated package, importable while the context lasts."""
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
