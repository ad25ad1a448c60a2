"""Property-based: whole hostile Swagger documents, paths included. Each one either
generates a package that compiles, imports and round-trips an instance of every model, or
is refused with errors that say where; nothing is written outside `--out`, and nothing in
the spec runs."""

from __future__ import annotations

import ast
import copy
import importlib
import itertools
import json
import sys
from pathlib import Path
from typing import Any

from helpers import only_declarations
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kubeforge import source
from kubeforge.cache import digest
from kubeforge.diagnostics import GenerateError
from kubeforge.format import format_one
from kubeforge.ir import Package, TypeRef
from kubeforge.parse import parse
from kubeforge.pipeline import Options, run
from kubeforge.render import PLAIN

_COUNTER = itertools.count()

# Spec text that would run if it ever reached code: it writes this file.
_MARKER = "kubeforge-hostile-ran"
_PAYLOADS = [
    f'"""; open(\'{_MARKER}\', \'w\'); """',
    f"'''; open('{_MARKER}', 'w'); '''",
    f"{{{{ open('{_MARKER}', 'w') }}}}",
    f"{{% set x = open('{_MARKER}', 'w') %}}",
    f"\\\nopen('{_MARKER}', 'w')",
    f"\nopen('{_MARKER}', 'w')\n",
    "\x00\x1b\u2028\ud7ff",
]
TEXT = st.sampled_from(_PAYLOADS) | st.text(max_size=30)
NAME = st.sampled_from(
    [
        "Foo", "foo", "FOO", "f-oo", "f_oo", "f.oo", "F oo", "0foo", "9", "class", "def",
        "None", "True", "self", "__init__", "__class__", "__dict__", "_f", "_gvk", "Any",
        "Model", "List", "TypeAlias", "datetime", "../x", "..", "a/b", "a~b", "é", "Ωmega",
        "\"q\"", "'q'", "b\\s", "n\nl", "{{x}}", "{%x%}",
    ]
) | st.text(min_size=1, max_size=8)  # fmt: skip
VERSION = st.sampled_from(["v1", "v1beta1", "v2alpha3"])
ENUM_VALUES = st.lists(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
        st.just({"a": [1]}),
        st.just([1, "x"]),
    ),
    max_size=4,
)


def _pointer(key: str) -> str:
    return "#/definitions/" + key.replace("~", "~0").replace("/", "~1")


@st.composite
def _schema(draw: st.DrawFn, keys: list[str], depth: int) -> dict[str, Any]:
    """A property's schema: scalars, type arrays, enums of any JSON, refs (cycles included,
    through arrays and maps), and nested inline objects."""
    shape = draw(
        st.sampled_from(
            [
                *("string", "integer", "number", "boolean", "nullable", "union", "enum"),
                *("ref", "list", "map", "inline", "any", "int-or-string"),
            ]
        )
    )
    schema: dict[str, Any]
    if shape in ("string", "integer", "number", "boolean"):
        schema = {"type": shape}
    elif shape == "nullable":
        schema = {"type": [draw(st.sampled_from(["string", "integer", "object"])), "null"]}
    elif shape == "union":
        schema = {"type": draw(st.lists(st.sampled_from(["string", "number", "integer"]), min_size=2, max_size=3, unique=True))}  # fmt: skip
    elif shape == "enum":
        schema = {"type": draw(st.sampled_from(["string", "integer"])), "enum": draw(ENUM_VALUES)}
    elif shape == "ref":
        schema = {"$ref": _pointer(draw(st.sampled_from(keys)))}
    elif shape in ("list", "map") and depth < 4:
        inner = draw(_schema(keys, depth + 1))
        schema = (
            {"type": "array", "items": inner}
            if shape == "list"
            else {"type": "object", "additionalProperties": inner}
        )
    elif shape == "inline" and depth < 6:
        wires = draw(st.lists(NAME, max_size=3, unique=True))
        schema = {
            "type": "object",
            "properties": {w: draw(_schema(keys, depth + 1)) for w in wires},
        }
    elif shape == "int-or-string":
        schema = {"x-kubernetes-int-or-string": True}
    else:
        schema = {}
    if draw(st.booleans()):
        schema["description"] = draw(TEXT)
    return schema


@st.composite
def hostile_documents(draw: st.DrawFn) -> dict[str, Any]:
    styles = st.sampled_from(["io.hostile.{v}.{n}", "{v}.{n}", "k8s.io.api.{n}.{v}.{n}", "{n}"])
    keys = draw(
        st.lists(
            st.builds(lambda s, v, n: s.format(v=v, n=n), styles, VERSION, NAME),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    definitions: dict[str, Any] = {}
    for key in keys:
        wires = draw(st.lists(NAME, max_size=5, unique=True))
        schema: dict[str, Any] = {
            "description": draw(TEXT),
            "properties": {w: draw(_schema(keys, 0)) for w in wires},
        }
        shape = draw(st.sampled_from(["object", "object", "array", "string", "untyped"]))
        if shape == "object":
            schema["type"] = "object"
        elif shape == "array":
            schema = {"type": "array", "items": {"$ref": _pointer(draw(st.sampled_from(keys)))}}
        elif shape == "string":
            schema = {"type": "string", "enum": draw(ENUM_VALUES)}
        if draw(st.booleans()):
            gvk = {"group": draw(NAME), "version": draw(VERSION), "kind": draw(NAME)}
            schema["x-kubernetes-group-version-kind"] = [gvk]
        definitions[key] = schema
    paths: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 4))):
        group, plural = draw(NAME), draw(NAME)
        prefix = "/api/v1" if draw(st.booleans()) else f"/apis/{group}/{draw(VERSION)}"
        scope = "/namespaces/{namespace}" if draw(st.booleans()) else ""
        tail = draw(
            st.sampled_from(["", "/{name}", "/{name}/status", "/{name}/exec", "/{x:[a-z]*}"])
        )
        op: dict[str, Any] = {
            "operationId": draw(TEXT),
            "description": draw(TEXT),
            "responses": {
                "200": {
                    "description": "OK",
                    "schema": {"$ref": _pointer(draw(st.sampled_from(keys)))},
                }
            },
        }
        action = draw(st.sampled_from([None, "get", "list", "post", "put", "patch", "delete", "watch", "connect", "bogus"]))  # fmt: skip
        if action:
            op["x-kubernetes-action"] = action
        if draw(st.booleans()):
            op["x-kubernetes-group-version-kind"] = {"group": group, "version": "v1", "kind": draw(NAME)}  # fmt: skip
        method = draw(st.sampled_from(["get", "post", "put", "patch", "delete", "options"]))
        paths.setdefault(f"{prefix}{scope}/{plural}{tail}", {})[method] = op
    return {
        "swagger": "2.0",
        "info": {"title": draw(TEXT), "version": "v0"},
        "paths": paths,
        "definitions": definitions,
    }


def _sample(t: TypeRef, package: Package, depth: int = 0) -> Any:
    """A wire value of a field's type."""
    if t.kind == "model":
        return _wire(package, t.model, depth + 1) if depth < 3 else {}
    if t.kind == "list" and t.item is not None:
        return [_sample(t.item, package, depth + 1)] if depth < 3 else []
    if t.kind == "map" and t.item is not None:
        return {"k\"'": _sample(t.item, package, depth + 1)} if depth < 3 else {}
    kind = t.options[0] if t.kind == "union" else t.kind
    return {
        "str": "s\"'\\\n{{x}}",
        "int": 7,
        "float": 1.5,
        "bool": True,
        "int_or_str": "80%",
        "quantity": "1Gi",
        "time": "2026-12-01T00:00:00Z",
        "microtime": "2026-12-01T00:00:00.000001Z",
    }.get(kind, {"any": [None, 1, "x"]})


def _wire(package: Package, key: str, depth: int = 0) -> dict[str, Any]:
    model = package.model(key)
    wire = {f.wire: _sample(f.type, package, depth) for f in model.fields}
    wire.setdefault("x-unknown-to-the-spec", {"kept": [1, None]})
    return wire


@settings(
    derandomize=True,
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=hostile_documents())
@example(  # found by a long run: the validator raised on a stray brace in a path template
    document={
        "swagger": "2.0",
        "info": {"title": "t", "version": "v0"},
        "paths": {
            "/apis/Foo/v1/}x/{name}": {
                "put": {"responses": {"200": {"schema": {"$ref": _pointer("io.hostile.v1.Foo")}}}}
            }
        },
        "definitions": {"io.hostile.v1.Foo": {"type": "object", "properties": {}}},
    }
)
@example(  # found by a long run: escaped pointers, and a subresource's async method
    document={
        "swagger": "2.0",
        "info": {"title": "t", "version": "v0"},
        "paths": {
            f"/api/v1/namespaces/{{namespace}}/f.oo/{{name}}{sub}": {
                "put": {
                    "x-kubernetes-action": "put",
                    "responses": {"200": {"schema": {"$ref": _pointer("io.hostile.v1.a/b~")}}},
                }
            }
            for sub in ("", "/status")
        },
        "definitions": {
            "io.hostile.v1.a/b~": {
                "type": "object",
                "properties": {"__dict__": {"type": "string"}},
                "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Foo"}],
            }
        },
    }
)
def test_hostile_documents_generate_a_working_package_or_are_refused(
    document: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    name = f"hostile_doc_{next(_COUNTER)}"
    work = tmp_path / name  # hypothesis runs every example in the one tmp_path
    work.mkdir()
    monkeypatch.chdir(work)  # where a payload that ran would write its marker
    out = work / "out"
    original = copy.deepcopy(document)
    spec = source.Spec(document, "hypothesis", None, digest(json.dumps(document, sort_keys=True)))
    try:
        result = run(lambda: spec, Options(out=out, package=name, quiet=True))
    except GenerateError as refused:
        event(f"refused: {refused.diagnostics[0].message[:40]}")
        assert refused.diagnostics
        for diagnostic in refused.diagnostics:
            assert diagnostic.where and diagnostic.message, diagnostic
        assert sorted(p.name for p in work.iterdir()) == [], "refused, yet wrote"
        return
    assert document == original, "generation changed the caller's document"
    assert sorted(p.name for p in work.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [name, "pyproject.toml"]
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written == set(result.files) | {"pyproject.toml"} or written == set(result.files)
    fixed = {f"{name}/{module}.py" for module in PLAIN}
    for path, text in result.files.items():
        if path.endswith(".py") and "/_runtime/" not in path and path not in fixed:
            only_declarations(ast.parse(text), path)
            # written as black writes it, whether or not the format stage ran black on it
            assert format_one(text) == text, path
    package, _ = parse(document, None, name, spec.sha256)
    sys.path.insert(0, str(out))
    try:
        for path in sorted(result.files):
            if path.endswith(".py"):
                importlib.import_module(path[:-3].replace("/", ".").removesuffix(".__init__"))
        for module in package.modules:
            imported = importlib.import_module(f"{name}.{module.name}")
            for model in module.models:
                cls = getattr(imported, model.name)
                wire = _wire(package, model.key)
                instance = cls.from_dict(copy.deepcopy(wire))
                for f in model.fields:
                    getattr(instance, f.name)  # the typed view reads what was sent
                assert instance.to_dict() == wire
                assert cls.from_json(instance.to_json()).to_dict() == wire
                repr(instance)
    finally:
        sys.path.remove(str(out))
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]
    assert not (work / _MARKER).exists(), "spec text ran"
