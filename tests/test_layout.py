"""Generated text is what black would write, so the format stage may skip black for it.

Every assertion compares with black itself (`format_one`, the pinned mode): the bundled spec's
modules, CRD-shaped modules with hostile names and descriptions, and each piece of the
emulation (`docstring_text`, `attribute_doc`, `pystr`, `wrap`) over generated inputs.
"""

from __future__ import annotations

import ast
import keyword
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kubeforge import format as fmt
from kubeforge import source
from kubeforge.cache import Cache
from kubeforge.format import format_all, format_one
from kubeforge.layout import attribute_doc, black_form, docstring_text, pystr, wrap
from kubeforge.parse import parse
from kubeforge.render import laid_out, render

# Descriptions as CRDs write them, and as nobody should: quotes, backslashes, triple quotes,
# indented lists, tabs, trailing spaces, unicode, a lone quote at either end.
NASTY = [
    'Defaults to "Always". Paths like C:\\var\\lib\\ and the regex ^\\d+$ are allowed.',
    'Use """raw""" blocks.\n\n  - one\n  - two "quoted"\n\tthree\n    four   ',
    '"starts with a quote',
    'ends with a quote"',
    "ends with a backslash \\",
    "line ends with a backslash \\\nand goes on",
    "ünïcödé ≥ → “smart” 日本語 " * 4,
    "x" * 98 + '"',
    "a long last line\n" + "y " * 60,
    "'single' and \"double\" and ''' and \\'",
]
LONG = "maximumConcurrentReconciliationsPerControllerWorkerPoolBeforeExponentialBackoff"


def _schema(depth: int, names: list[str], text: str) -> dict[str, Any]:
    """An object schema `depth` deep, with maps of objects, lists, int-or-string, `names`."""
    props: dict[str, Any] = {name: {"type": "string", "description": text} for name in names}
    props["port"] = {"x-kubernetes-int-or-string": True, "description": text}
    props["extra"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    if depth:
        child = _schema(depth - 1, names, text)
        props["byName"] = {"type": "object", "additionalProperties": child, "description": text}
        props["items"] = {"type": "array", "items": _schema(depth - 1, names, text)}
        props[LONG] = _schema(depth - 1, names, text)
    return {"type": "object", "properties": props, "description": text}


def _crd(kind: str, names: list[str], text: str) -> dict[str, Any]:
    schema = {
        "type": "object",
        "description": text,
        "properties": {"spec": _schema(3, names, text), "status": _schema(1, names, text)},
    }
    version = {
        "name": "v1",
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": schema},
        "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas"}},
        "additionalPrinterColumns": [
            {"name": "Ready", "type": "string", "jsonPath": ".status.ready", "description": text}
        ],
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{kind.lower()}s.very-long-group-name.layout.example.com"},
        "spec": {
            "group": "very-long-group-name.layout.example.com",
            "scope": "Namespaced",
            "names": {"kind": kind, "plural": f"{kind.lower()}s", "singular": kind.lower()},
            "versions": [version],
        },
    }


def _generated(tmp_path: Path, crds: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "crds.yaml"
    path.write_text(yaml.safe_dump_all(crds, allow_unicode=True), encoding="utf-8")
    spec = source.load(crd=[str(path)])
    package, _ = parse(spec.document, spec.discovery, "kubeapi", spec.sha256, None, spec.crds)
    return render(package), set(laid_out(package))


def _black_keeps(files: dict[str, str], paths: set[str]) -> list[str]:
    """The laid-out files the guard vouches for; each one is exactly what black writes."""
    vouched = sorted(p for p in paths if black_form(files[p]))
    for path in vouched:
        assert format_one(files[path]) == files[path], path
    return vouched


def test_bundled_spec_modules_are_what_black_writes() -> None:
    spec = source.bundled()
    package, _ = parse(spec.document, None, "kubeapi", spec.sha256)
    files = render(package)
    paths = set(laid_out(package))
    assert len(paths) > 40
    assert _black_keeps(files, paths) == sorted(paths), "the guard turned a module down"


def test_crd_modules_with_hostile_names_and_descriptions_are_what_black_writes(
    tmp_path: Path,
) -> None:
    names = ["x-forwarded-for", "from", "class", "jwks_uri", "jwksUri", "tls.crt", LONG * 2]
    narrow = [text for text in NASTY if text.isascii()]
    crds = [_crd(f"Widget{i}", names, text) for i, text in enumerate(narrow)]
    files, paths = _generated(tmp_path / "narrow", crds)
    assert any("layout_example" in p for p in paths)
    assert set(_black_keeps(files, paths)) == paths, "the guard turned a module down"
    # wide characters in code (a printer column's description) are measured by black
    # itself: the module goes through black, and what the guard vouches for still holds
    files, paths = _generated(tmp_path / "all", [_crd("Widget", names, "".join(NASTY))])
    assert set(_black_keeps(files, paths)) == paths - {
        "kubeapi/very_long_group_name_layout_example_v1.py"
    }


@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    names=st.lists(
        st.text(alphabet="aZ_-.9$ ", min_size=1, max_size=90) | st.sampled_from(keyword.kwlist),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    text=st.text(max_size=300) | st.sampled_from(NASTY),
    kind=st.text(alphabet="ABCxyz", min_size=1, max_size=60).map(lambda k: "K" + k),
)
def test_any_crd_generates_what_black_writes(
    names: list[str], text: str, kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files, paths = _generated(tmp_path_factory.mktemp("crd"), [_crd(kind, names, text)])
    _black_keeps(files, paths)


INDENTS = st.sampled_from(["", "    ", "        "])


def _classes(indent: str) -> str:
    """Nested class headers whose body is at `indent`."""
    return "".join("    " * level + "class A:\n" for level in range(len(indent) // 4))


@given(st.text(), INDENTS)
@example("a\n\tb\n  c", "    ")
@example("x" * 95 + '"', "    ")
@example("x\n" + "y" * 95 + '"', "    ")
@example("x\n" + "y" * 94 + '"', "    ")
@example("a \\\n b", "    ")
def test_docstrings_are_what_black_writes(text: str, indent: str) -> None:
    """As the docstring of a class at this indentation; `""` is the module's."""
    body = f'"""{docstring_text(text, indent)}"""'
    source_ = _classes(indent) + f"{indent}{body}\n"
    assert format_one(source_) == source_


@given(st.text(), INDENTS)
def test_attribute_docs_are_strings_black_leaves(text: str, indent: str) -> None:
    source_ = _classes(indent) + f'{indent}x: int\n{indent}"""'
    source_ += attribute_doc(text, indent) + '"""\n'
    assert format_one(source_) == source_


@given(st.text())
def test_any_description_reads_back_from_its_attribute_doc(text: str) -> None:
    kept = text.replace("\r\n", "\n").strip(" \n\t")
    first, *rest = [line.rstrip(" \t") for line in kept.split("\n")]
    leading = [line[: len(line) - len(line.lstrip(" \t"))] for line in rest]
    rest = [pad.expandtabs() + line[len(pad) :] for pad, line in zip(leading, rest, strict=True)]
    expected = "\n".join([first, *rest])
    assert ast.literal_eval(f'"""{attribute_doc(text)}"""').removesuffix("\n") == expected


@given(st.text())
@example("'\"")
@example('"\'"')
@example("\\'\"")
def test_string_literals_are_what_black_writes(value: str) -> None:
    literal = pystr(value)
    assert ast.literal_eval(literal) == value
    assert format_one(f"x = {literal}\n") == f"x = {literal}\n"


IDENT = st.text(alphabet="abcXYZ_", min_size=1, max_size=70).map(lambda s: "n" + s)


@st.composite
def type_exprs(draw: st.DrawFn, depth: int = 2) -> str:
    """Annotations as `kubeforge.fields` writes them: names, subscripts, unions."""
    name = draw(IDENT)
    if depth and draw(st.booleans()):
        args = draw(st.lists(type_exprs(depth - 1), min_size=1, max_size=3))
        name = f"{draw(st.sampled_from(['_m.List', 'dict', 'Mapping', name]))}[{', '.join(args)}]"
    if draw(st.booleans()):
        name += " | " + draw(st.sampled_from(["None", "str", draw(IDENT)]))
    return name


@st.composite
def long_lines(draw: st.DrawFn) -> str:
    """One statement of a shape the templates write, long or not, inside a class."""
    shape = draw(st.sampled_from(["annotation", "param", "call", "class", "def", "str", "res"]))
    names = draw(st.lists(IDENT, min_size=1, max_size=8))
    if shape == "annotation":
        return f"class A:\n    {names[0]}: {draw(type_exprs())}\n"
    if shape == "param":
        t = draw(type_exprs())
        t = t if t.endswith(" | None") else f"{t} | None"
        return f"class A:\n    def __init__(\n        self,\n        *,\n        {names[0]}: {t} = None,\n    ) -> None:\n        pass\n"
    if shape == "call":
        return f"class A:\n    def f(self) -> None:\n        self._init({', '.join(names)})\n"
    if shape == "class":
        return f"class {names[0]}(_m.ListModel[{draw(type_exprs(1))}]):\n    pass\n"
    if shape == "def":
        params = ", ".join(["self", *(f"{n}: str" for n in names[1:])])
        return f"class A:\n    def {names[0]}({params}) -> {draw(type_exprs(1))}:\n        pass\n"
    if shape == "str":
        text = draw(st.text(alphabet="ab :@[", max_size=120))
        return f"class A:\n    _f = {pystr(text)}\n"
    one = draw(st.sampled_from(["", ","]))
    strings = ", ".join(pystr(n) for n in names[1:])
    tuples = f"({pystr(names[0])}{one})" if one or len(names) == 1 else f"({strings})"
    return f"class A:\n    r = _m.R(a={pystr(names[0])}, b=({strings or '1'}), c={tuples})\n"


@settings(max_examples=300, derandomize=True)
@given(long_lines())
def test_wrapped_lines_are_what_black_writes(source_: str) -> None:
    """Whatever `wrap` vouches for is black's output for the unwrapped text."""
    wrapped = wrap(source_)
    assert ast.dump(ast.parse(wrapped)) == ast.dump(ast.parse(source_))
    if black_form(wrapped):
        assert wrapped == format_one(source_)


def test_the_guard_turns_down_lines_it_does_not_know() -> None:
    long_sum = "x = " + " + ".join(f"name_{i}" for i in range(30)) + "\n"
    assert wrap(long_sum) == long_sum
    assert not black_form(long_sum)
    assert not black_form('x = 1\ny = """a\n')  # a string the templates never write


def test_format_stage_skips_black_only_for_vouched_laid_out_files(tmp_path: Path) -> None:
    """The skip is real: a laid-out file the guard accepts is written as rendered."""
    unformatted = "x = [1,2]\n"  # black writes [1, 2]; no line is long, so the guard accepts
    files = {"p/a.py": unformatted, "p/b.py": unformatted, "p/c.py": "x = " + "a + " * 40 + "b\n"}
    cache = Cache("format", enabled=False)
    out = format_all(files, cache, None, laid_out=frozenset({"p/a.py", "p/c.py"}))
    assert fmt.EMULATED
    assert out["p/a.py"] == unformatted
    assert out["p/b.py"] == "x = [1, 2]\n"
    assert out["p/c.py"] == format_one(files["p/c.py"]) != files["p/c.py"]


def test_the_emulated_style_is_the_installed_blacks() -> None:
    """A new major version of black may change its stable style: re-check the emulation
    (this file) and move `layout.STYLE`, or every file goes through black again."""
    assert fmt.EMULATED
