"""Property-based: hostile specs (names, descriptions, recursion) always give safe, importable code."""

from __future__ import annotations

import ast
import importlib
import itertools
import sys
from pathlib import Path
from typing import Any

from helpers import minimal_spec, only_declarations
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kubeforge import source
from kubeforge.cache import digest
from kubeforge.format import format_one
from kubeforge.pipeline import Options, build
from kubeforge.render import PLAIN
from kubeforge.write import write

_COUNTER = itertools.count()
NASTY_TEXT = st.text(
    alphabet=st.sampled_from(list("\"'\\\n\t#;:()[]{}$-_. aZ9é\u2028\x00\x1b`")) | st.characters(),
    max_size=40,
)
NAME = st.text(
    alphabet=st.sampled_from(list("aZ_-.$:= 9\"'\\/")) | st.characters(), min_size=1, max_size=12
)


@st.composite
def hostile_specs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    definitions: dict[str, Any] = {}
    for name in names:
        props: dict[str, Any] = {}
        for wire in draw(st.lists(NAME, max_size=5, unique=True)):
            kind = draw(st.sampled_from(["string", "integer", "self", "list", "map", "other"]))
            if kind == "self":
                prop: dict[str, Any] = {"$ref": f"#/definitions/io.hostile.v1.{name}"}
            elif kind == "other":
                prop = {"$ref": f"#/definitions/io.hostile.v1.{draw(st.sampled_from(names))}"}
            elif kind == "list":
                prop = {"type": "array", "items": {"$ref": f"#/definitions/io.hostile.v1.{name}"}}
            elif kind == "map":
                prop = {"type": "object", "additionalProperties": {"type": "string"}}
            else:
                prop = {"type": kind}
            prop["description"] = draw(NASTY_TEXT)
            props[wire] = prop
        definitions[f"io.hostile.v1.{name}"] = {
            "type": "object",
            "description": draw(NASTY_TEXT),
            "properties": props,
            "x-kubernetes-group-version-kind": [
                {"group": draw(NAME), "version": "v1", "kind": name}
            ],
        }
    return minimal_spec(definitions)


@settings(
    derandomize=True,
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=hostile_specs())
@example(  # found in CI: a group name with a brace, once mistaken for a bracket by prewrap
    spec=minimal_spec(
        {
            "io.hostile.v1.K\x85": {
                "type": "object",
                "description": "",
                "properties": {},
                "x-kubernetes-group-version-kind": [
                    {
                        "group": "00{00000\U0001bc89\U0002ebe1\U0001e2af\U00031390",
                        "version": "v1",
                        "kind": "K\x85",
                    }
                ],
            }
        }
    )
)
def test_hostile_specs_generate_safe_code_that_imports(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    name = f"hostile_{next(_COUNTER)}"
    doc = source.Spec(spec, "hypothesis", None, digest(repr(spec)))
    files, _, _ = build(doc, Options(out=tmp_path, package=name))
    fixed = {f"{name}/{module}.py" for module in PLAIN}  # hand-written, the same for every spec
    for path, text in files.items():
        if path.endswith(".py") and "/_runtime/" not in path and path not in fixed:
            only_declarations(ast.parse(text), path)
            # written as black writes it, whether or not the format stage ran black on it
            assert format_one(text) == text, path
    descriptions = {d["description"].strip() for d in spec["definitions"].values()}
    docstrings = set()
    for path, text in files.items():
        if path.endswith(".py") and "/_runtime/" not in path:
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.ClassDef):
                    docstrings.add(ast.get_docstring(node, clean=False) or "")
    for text in descriptions:
        if text and "\x00" not in text:
            assert any(text.split("\n")[0].strip() in d for d in docstrings), text
    out = tmp_path / name
    write(files, tmp_path / "pkgs", name)
    sys.path.insert(0, str(tmp_path / "pkgs"))
    try:
        for path in files:
            if path.endswith(".py"):
                module = path[:-3].replace("/", ".").removesuffix(".__init__")
                importlib.import_module(module)
    finally:
        sys.path.remove(str(tmp_path / "pkgs"))
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]
    del out
