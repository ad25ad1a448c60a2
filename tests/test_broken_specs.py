"""Broken specs and what the user is told: `paths: null` generates models only, dangling
`$ref`s are one error per missing definition (or, with `--lenient`, a match or any JSON),
validator findings name the offending node, equal findings are counted, a summary closes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from helpers import minimal_spec

SPECS = Path(__file__).parent / "specs"


def _generate(spec: Path, out: Path, package: str, *flags: str) -> tuple[int, list[str]]:
    """`kubeforge generate` as a user runs it: the exit code and the stderr lines."""
    args = ["generate", "--spec", str(spec), "--out", str(out), "--package", package, *flags]
    result = subprocess.run(
        [sys.executable, "-m", "kubeforge", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KUBEFORGE_CACHE_DIR": os.environ["KUBEFORGE_CACHE_DIR"]},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr.splitlines()


@contextmanager
def _imported(out: Path, module: str) -> Iterator[Any]:
    sys.path.insert(0, str(out))
    try:
        yield __import__(module, fromlist=["_"])
    finally:
        sys.path.remove(str(out))
        top = module.split(".")[0]
        for name in [m for m in sys.modules if m.split(".")[0] == top]:
            del sys.modules[name]


def test_paths_null_generates_models_and_says_so_even_when_quiet(tmp_path: Path) -> None:
    code, lines = _generate(SPECS / "paths-null.json", tmp_path, "inventory", "--quiet")
    assert code == 0
    assert lines == [
        "kubeforge: warning: #/paths: is null (models only, no clients)",
        "kubeforge: 0 errors, 1 warning",
    ]
    assert not (tmp_path / "inventory" / "inventory_example_v1.py").read_text().count("Client")
    with _imported(tmp_path, "inventory.inventory_example_v1") as module:
        item = module.Item(count=3, _extra={"color": "red"})
        assert item.to_dict() == {
            "apiVersion": "inventory.example.com/v1",
            "kind": "Item",
            "count": 3,
            "color": "red",
        }
        again = module.Item.from_json(item.to_json())
        again.count += 1
        assert again.to_dict()["count"] == 4 and again.to_dict()["color"] == "red"


def test_dangling_refs_are_one_error_per_missing_definition(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "shop").mkdir(parents=True)
    (out / "shop" / "keep.py").write_text("# earlier output\n")
    code, lines = _generate(SPECS / "dangling-refs.json", out, "shop", "--quiet")
    assert code == 1
    assert lines == [
        "kubeforge: error: #/definitions/io.k8s.apimachinery.pkg.apis.audit.v1.Event: is missing:"
        " $ref '#/definitions/io.k8s.apimachinery.pkg.apis.audit.v1.Event' is used 1 time,"
        " first at #/definitions/com.example.shop.v1.Order/properties/audit/additionalProperties"
        " (--lenient reads it as any JSON value)",
        "kubeforge: error: #/definitions/v1.Customer: is missing: $ref '#/definitions/v1.Customer'"
        " is used 2 times, first at #/definitions/com.example.shop.v1.Order/properties/billing"
        " (--lenient reads it as any JSON value)",
        "kubeforge: error: #/definitions/v1.OrderLine: is missing: $ref '#/definitions/v1.OrderLine'"
        " is used 1 time, first at #/definitions/com.example.shop.v1.Order/properties/lines/items"
        " (com.example.shop.v1.OrderLine is the only definition named like it; --lenient uses it)",
        "kubeforge: 3 errors; nothing written",
    ]
    assert [p.name for p in out.rglob("*")] == ["shop", "keep.py"]


def test_lenient_uses_the_unique_match_and_reads_the_rest_as_any_json(tmp_path: Path) -> None:
    code, lines = _generate(SPECS / "dangling-refs.json", tmp_path, "shop", "--lenient", "--quiet")
    assert code == 0
    assert [line.split(": is missing")[0] for line in lines[:-1]] == [
        "kubeforge: warning: #/definitions/io.k8s.apimachinery.pkg.apis.audit.v1.Event",
        "kubeforge: warning: #/definitions/v1.Customer",
        "kubeforge: warning: #/definitions/v1.OrderLine",
    ]
    assert lines[0].endswith("(read as any JSON value)")
    assert "used 2 times" in lines[1] and lines[1].endswith("(read as any JSON value)")
    assert lines[2].endswith("(read as com.example.shop.v1.OrderLine)")
    assert lines[-1] == "kubeforge: 0 errors, 3 warnings"
    text = (tmp_path / "shop" / "shop_example_v1.py").read_text()
    assert "    lines: _m.List[OrderLine]\n" in text
    assert "    customer: _m.Value[Any]\n" in text and "    billing: _m.Value[Any]\n" in text
    assert "    audit: _m.Map[Any]\n" in text
    assert '"""who ordered"""' in text  # the rest of a repaired node is kept
    with _imported(tmp_path, "shop.shop_example_v1") as module:
        wire = {
            "apiVersion": "shop.example.com/v1",
            "kind": "Order",
            "metadata": {"name": "o-1"},
            "lines": [{"sku": "tea", "qty": 2}],
            "customer": {"name": "Ada", "tier": 3},
            "billing": "same as customer",
            "audit": {"created": {"at": "2026-12-01T00:00:00Z"}, "note": [1, 2]},
            "priority": "high",
        }
        order = module.Order.from_dict(json.loads(json.dumps(wire)))
        assert isinstance(order.lines[0], module.OrderLine) and order.lines[0].qty == 2
        assert order.customer == {"name": "Ada", "tier": 3}
        assert order.audit["note"] == [1, 2]
        order.lines[0].qty = 5
        wire["lines"] = [{"sku": "tea", "qty": 5}]
        assert json.loads(order.to_json()) == wire


def test_validator_findings_name_the_node_and_equal_ones_are_counted(tmp_path: Path) -> None:
    long = "a description long enough that echoing the node would bury the reason " * 4
    things = {
        f"io.example.v1.Thing{i}": {
            "type": "object",
            "description": long,
            "properties": {"size": {"type": "integer", "nullable": True}},
        }
        for i in range(3)
    }
    spec = minimal_spec(
        things,
        {
            "/healthz": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "parameters": [
                        {"name": "verbose", "in": "query", "type": "strng"},
                        {"name": "body", "in": "body", "description": long},
                        {"name": "mode", "in": "query", "type": "string", "default": "x"}
                        | {"enum": ["fast", "slow"]},
                    ],
                }
            }
        },
    )
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    code, lines = _generate(path, tmp_path / "out", "things", "--quiet")
    assert code == 0
    op = "#/paths/~1healthz/get/parameters"
    assert lines == [
        "kubeforge: warning: #/definitions/io.example.v1.Thing0/properties/size:"
        " 'nullable' does not match any of the regexes: '^x-'"
        " (3 places, first shown; generating anyway)",
        f"kubeforge: warning: {op}/0/type:"
        " 'strng' is not one of ['string', 'number', 'boolean', 'integer', 'array']"
        " (generating anyway)",
        f"kubeforge: warning: {op}/1: 'schema' is a required property (generating anyway)",
        f"kubeforge: warning: {op}/2/default: 'x' is not one of ['fast', 'slow'] (generating anyway)",
        "kubeforge: 0 errors, 4 warnings, 1 operation without a client method (1 not a resource)",
    ]


def test_strict_turns_each_warning_into_an_error(tmp_path: Path) -> None:
    code, lines = _generate(
        SPECS / "dangling-refs.json", tmp_path, "shop", "--lenient", "--strict", "--quiet"
    )
    assert code == 1
    assert len(lines) == 4 and all(line.endswith("(--strict)") for line in lines[:3])
    assert lines[-1] == "kubeforge: 3 errors; nothing written"
    assert not (tmp_path / "shop").exists()


def test_the_summary_tallies_operations_without_a_client_by_why(tmp_path: Path) -> None:
    """A resource whose kind no definition has is a warning at its path, a finding the
    validator places only in its message is placed, and the closing line counts every
    operation left without a client method, by why."""
    item = {"type": "object", "properties": {"name": {"type": "string"}}}
    ok = {"200": {"description": "ok", "schema": {"$ref": "#/definitions/io.example.v1.Gadget"}}}
    spec = minimal_spec(
        {"io.example.v1.Gadget": item},
        {
            "/apis/example.io/v1/widgets": {"get": {"responses": ok}},
            "/apis/example.io/v1/watch/widgets": {"get": {"responses": ok}},
            "/apis/example.io/v1/widgets/{name}/exec": {
                "post": {"responses": ok, "x-kubernetes-action": "connect"}
            },
            "/version": {"get": {"responses": ok}},
        },
    )
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    code, lines = _generate(path, tmp_path / "out", "gadgets")
    assert code == 0
    assert (
        "kubeforge: warning: #/paths/~1apis~1example.io~1v1~1widgets: no client for widgets:"
        " no operation of widgets names its kind or returns a known model (use Client.request())"
    ) in lines
    # The validator says where this one is only in its message; the line names the node.
    assert (
        "kubeforge: warning: #/paths/~1apis~1example.io~1v1~1widgets~1{name}~1exec/post:"
        " Path parameter 'name' for 'post' operation in '/apis/example.io/v1/widgets/{name}/exec'"
        " was not resolved (generating anyway)"
    ) in lines
    assert lines[-1] == (
        "kubeforge: 0 errors, 2 warnings, 4 operations without a client method"
        " (1 connect, 1 no model, 1 not a resource, 1 watch path)"
    )


def test_refs_are_json_pointers(tmp_path: Path) -> None:
    """`~1` in a `$ref` is a `/` in the definition's name and `~0` a `~` (RFC 6901); a missing
    one is named as the pointer that was written."""
    definitions = {
        "io.example.v1.Part/Kit~2": {"type": "object", "properties": {"n": {"type": "string"}}},
        "io.example.v1.Box": {
            "type": "object",
            "properties": {
                "part": {"$ref": "#/definitions/io.example.v1.Part~1Kit~02"},
                "gone": {"$ref": "#/definitions/io.example.v1.Gone~1x"},
            },
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(minimal_spec(definitions)))
    code, lines = _generate(path, tmp_path / "out", "boxes", "--quiet")
    assert code == 1
    assert lines[0].startswith(
        "kubeforge: error: #/definitions/io.example.v1.Gone~1x: is missing:"
        " $ref '#/definitions/io.example.v1.Gone~1x' is used 1 time"
    )
    assert len(lines) == 2  # the part's pointer resolves
    code, lines = _generate(path, tmp_path / "out", "boxes", "--quiet", "--lenient")
    assert code == 0
    text = (tmp_path / "out" / "boxes" / "example_v1.py").read_text()
    assert "    part: _m.Object[PartKit2]\n" in text and "    gone: _m.Value[Any]\n" in text
    with _imported(tmp_path / "out", "boxes.example_v1") as module:
        box = module.Box.from_dict({"part": {"n": "bolt"}, "gone": [1]})
        assert isinstance(box.part, module.PartKit2) and box.part.n == "bolt"


def test_a_validator_that_gives_up_is_a_warning_at_the_path_it_could_not_read(
    tmp_path: Path,
) -> None:
    """openapi-spec-validator reads path templates as Python format strings and raises on a
    stray brace; generation goes on, and the warning names the path."""
    ok = {"200": {"description": "ok", "schema": {"$ref": "#/definitions/io.example.v1.Gadget"}}}
    spec = minimal_spec(
        {"io.example.v1.Gadget": {"type": "object", "properties": {"a": {"type": "string"}}}},
        {"/apis/example.io/v1/}gadgets/{name}": {"get": {"responses": ok}}},
    )
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    code, lines = _generate(path, tmp_path / "out", "gadgets", "--quiet")
    assert code == 0
    assert lines == [
        "kubeforge: warning: #/paths/~1apis~1example.io~1v1~1}gadgets~1{name}:"
        " openapi-spec-validator stopped: ValueError: Single '}' encountered in format string"
        " (its later findings are missing; generating anyway)",
        "kubeforge: 0 errors, 1 warning",
    ]
    assert (tmp_path / "out" / "gadgets" / "example_v1.py").read_text().count("class Gadget(")
