"""Paths, small spec builders and a `kubeforge serve` runner shared by the tests."""

from __future__ import annotations

import ast
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


# What generated modules may hold, whatever the spec says (the hostile-spec properties).
_ALLOWED_MODULE = (
    ast.Expr,
    ast.ImportFrom,
    ast.If,
    ast.Assign,
    ast.AnnAssign,
    ast.ClassDef,
    ast.FunctionDef,
)
_TEMPLATE_FUNCTIONS = {"model_for"}  # written by the templates, whatever the spec says
_ALLOWED_CLASS = (ast.Expr, ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef)


def only_declarations(tree: ast.Module, path: str) -> None:
    """A hostile spec may not add statements: modules hold imports and declarations only."""
    for node in tree.body:
        assert isinstance(node, _ALLOWED_MODULE), f"{path}: unexpected {ast.dump(node)[:80]}"
        if isinstance(node, ast.FunctionDef):
            assert node.name in _TEMPLATE_FUNCTIONS, f"{path}: unexpected function {node.name}"
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.annotation, ast.Name)
            and node.annotation.id == "TypeAlias"
        ):  # a quoted alias: a type expression of names only
            assert isinstance(node.value, ast.Constant) and isinstance(node.value.value, str), path
            _only_names(ast.parse(node.value.value, mode="eval"), path)
        elif isinstance(node, ast.AnnAssign):  # the group table: a literal dict of strings
            assert isinstance(node.value, ast.Dict), path
            assert all(
                isinstance(n, ast.Constant) for n in [*node.value.keys, *node.value.values]
            ), path
        if isinstance(node, ast.Expr):
            assert isinstance(node.value, ast.Constant), path
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if _is_type_checking(item):  # Client.resource() overloads: stubs only
                    assert isinstance(item, ast.If)
                    for stub in item.body:
                        assert isinstance(stub, ast.FunctionDef), path
                        assert len(stub.body) == 1 and isinstance(stub.body[0], ast.Expr), path
                        assert isinstance(stub.body[0].value, ast.Constant), path
                    continue
                assert isinstance(item, _ALLOWED_CLASS), f"{path}: unexpected {ast.dump(item)[:80]}"
                if isinstance(item, ast.Expr):
                    assert isinstance(item.value, ast.Constant), path


def _only_names(tree: ast.AST, path: str) -> None:
    """A type expression: names, attributes, subscripts, `|` and `None`; no calls."""
    allowed = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.BinOp)
    for node in ast.walk(tree):
        ok = isinstance(node, (*allowed, ast.Load, ast.BitOr)) or (
            isinstance(node, ast.Constant) and node.value is None
        )
        assert ok, f"{path}: unexpected in a type alias: {ast.dump(node)[:80]}"


def _is_type_checking(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and not node.orelse
    )
