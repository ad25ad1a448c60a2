"""Types from JSON Schema as servers write it: type arrays, `nullable`, unions of scalars,
definitions that are lists or scalars, recursion, and class names the modules use."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import minimal_spec

from kubeforge import source
from kubeforge.parse import parse
from kubeforge.pipeline import Options, build
from kubeforge.write import write

SPEC = Path(__file__).parent / "specs" / "json-schema-types.json"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture generated into a directory, as `typespkg`."""
    out = tmp_path_factory.mktemp("types")
    files, _, _ = build(source.from_file(str(SPEC)), Options(out=out, package="typespkg"))
    write(files, out, "typespkg")
    return out


@pytest.fixture(scope="module")
def types_module(package: Path) -> Iterator[Any]:
    sys.path.insert(0, str(package))
    try:
        import typespkg.types_example_v1 as module  # type: ignore[import-not-found]

        yield module
    finally:
        sys.path.remove(str(package))
        for name in [m for m in sys.modules if m.split(".")[0] == "typespkg"]:
            del sys.modules[name]


def _annotations(package: Path) -> dict[str, str]:
    """`Class.field` (and alias names) -> the annotation text in the generated module."""
    text = (package / "typespkg" / "types_example_v1.py").read_text()
    found: dict[str, str] = {}
    owner = ""
    for line in text.splitlines():
        if m := re.match(r"class (\w+)\(", line):
            owner = m[1]
        elif m := re.match(r"    (\w+): (_m\.\w+\[.*\])$", line):
            found[f"{owner}.{m[1]}"] = m[2]
        elif m := re.match(r"(\w+)(?:: TypeAlias)? = (.+)$", line):
            found[m[1]] = m[2]
    return found


def test_type_arrays_nullable_and_unions_become_python_types(package: Path) -> None:
    found = _annotations(package)
    assert found["Gauge.label"] == "_m.Value[str | None]"  # required, but ["string", "null"]
    assert found["Gauge.reading"] == "_m.Value[int | None]"  # required, but ["integer", "null"]
    assert found["Gauge.note"] == "_m.Value[str | None]"  # nullable (OpenAPI 3)
    assert found["Gauge.owner"] == "_m.Value[str | None]"  # x-nullable
    assert found["Gauge.amount"] == "_m.Value[float | str | None]"
    assert found["Gauge.port"] == "_m.Value[int | str | None]"  # anyOf integer, string
    assert found["Gauge.toggle"] == "_m.Value[bool | str | None]"
    assert found["Gauge.count"] == "_m.Value[float | None]"
    assert found["Gauge.blob"] == "_m.Value[Any]"  # object or array: any JSON
    assert found["Gauge.checksum"] == "_m.Value[int | None]"  # format byte on an integer
    assert found["Gauge.limit"] == "_m.Value[float | str | None]"  # Quantity: string or number


def test_definitions_that_are_not_objects_are_aliases(package: Path) -> None:
    found = _annotations(package)
    assert found["Quantity"] == "float | str"
    assert found["TagList"] == '"list[str]"'
    assert found["Color"] == "str"
    assert found["Ratio"] == "float"
    assert found["Flag"] == "bool"
    assert found["Anything"] == "Any"
    assert found["Points"] == '"list[PointsItem]"'
    assert found["Tree"] == '"list[Any]"'  # a list of itself: any JSON below the first level
    # Fields that use them are typed by what they stand for, not as empty models.
    assert found["Gauge.tags"] == "_m.List[str]"
    assert found["Gauge.points"] == "_m.List[PointsItem]"
    assert found["Gauge.ratio"] == "_m.Value[float | None]"
    assert found["Gauge.enabled"] == "_m.Value[bool | None]"
    assert found["Gauge.anything"] == "_m.Value[Any]"


def test_names_the_modules_use_are_not_taken_by_classes(types_module: Any) -> None:
    assert types_module.Any is typing.Any
    for name in ("Any_", "Model_", "List_", "Iterable_", "TypeAlias_"):
        assert isinstance(getattr(types_module, name), type), name
    assert types_module.Any_(value="v").to_dict() == {"value": "v"}
    # A definition named like a resource's client keeps its name; the client gives way.
    assert types_module.GaugeClient(endpoint="e").to_dict() == {"endpoint": "e"}
    assert types_module.GaugeClient2._plural == "gauges"
    assert types_module.TypesExampleV1.gauges.__annotations__["return"] == "GaugeClient2"


def test_values_round_trip_and_read_as_their_types(types_module: Any) -> None:
    document = {
        "apiVersion": "types.example.com/v1",
        "kind": "Gauge",
        "metadata": {"name": "g"},
        "label": None,
        "reading": None,
        "amount": "1.5Gi",
        "limit": 2.5,
        "port": "http",
        "toggle": False,
        "tags": ["a", "b"],
        "points": [{"x": 1, "y": 2}],
        "tree": [[[]], []],
        "anything": {"k": [1, "two", None]},
        "root": {
            "name": "top",
            "children": [{"name": "c1", "byName": {"k": {"name": "deep"}}}],
        },
        "shadow": {"value": "s"},
        "unknownField": {"kept": True},
    }
    gauge = types_module.Gauge.from_json(json.dumps(document).encode())
    assert gauge.label is None and gauge.reading is None
    assert (gauge.amount, gauge.limit, gauge.port, gauge.toggle) == ("1.5Gi", 2.5, "http", False)
    assert list(gauge.tags) == ["a", "b"] and gauge.points[0].y == 2
    assert gauge.root.children[0].by_name["k"].name == "deep"
    assert gauge.shadow.value == "s"
    assert "Gauge(" in repr(gauge)
    gauge.root.children[0].by_name["k"].name = "changed"
    document["root"]["children"][0]["byName"]["k"]["name"] = "changed"  # type: ignore[index]
    assert gauge.to_dict() == document
    made = types_module.Gauge(amount=3, tags=["x"], port=8080)
    assert made.to_dict() == {
        "apiVersion": "types.example.com/v1",
        "kind": "Gauge",
        "amount": 3,
        "tags": ["x"],
        "port": 8080,
    }


def test_json_that_is_not_what_the_spec_says_reads_clearly_and_prints(types_module: Any) -> None:
    gauge = types_module.Gauge.from_dict({"root": "not an object", "tags": {"a": 1}})
    assert repr(gauge) == "Gauge(root='not an object', tags={'a': 1})"
    with pytest.raises(TypeError, match=r"Gauge\.root: the JSON holds str where Node expects"):
        _ = gauge.root.name
    assert gauge.to_dict() == {"root": "not an object", "tags": {"a": 1}}


def test_the_generated_module_passes_mypy_strict(package: Path) -> None:
    user = package / "use_types.py"
    user.write_text(
        "from typespkg.types_example_v1 import Gauge, Node, Quantity, TagList\n"
        "g = Gauge(amount='1', limit=2.5, tags=['a'], port=80)\n"
        "q: Quantity = g.limit or 0.0\n"
        "t: TagList = list(g.tags)\n"
        "label: str | None = g.label\n"
        "n: Node = g.root.children[0].by_name['x']\n"
    )
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    command += ["--cache-dir", str(package / ".mypy_cache"), "-p", "typespkg", "-m", "use_types"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=package, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_meta_types_the_runtime_needs_are_added_when_the_spec_lacks_them() -> None:
    """A CRD-only or aggregated server's document may lack meta/v1 Status or ListMeta; the
    runtime answers deletes with Status and lists with ListMeta, so they are added, and the
    spec's own meta types (here kube-openapi's bare `v1.ObjectMeta`) are kept and used."""
    own_meta = {"type": "object", "properties": {"name": {"type": "string"}}}
    package, _ = parse(minimal_spec({"v1.ObjectMeta": own_meta}), None, "pkg", "0" * 64)
    (meta,) = [m for m in package.modules if m.name == "meta_v1"]
    models = {m.name: m for m in meta.models}
    assert {"ListMeta", "ObjectMeta", "Status", "StatusCause", "StatusDetails"} <= set(models)
    assert [f.wire for f in models["ObjectMeta"].fields] == ["name"]  # the spec's own
    status = {f.wire: f.type for f in models["Status"].fields}
    assert status["metadata"].model == "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
    assert status["details"].model == "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails"
