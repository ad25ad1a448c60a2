"""Rendering: hand-written modules come out black-stable, and docstrings survive any text."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubeforge import source
from kubeforge.format import format_one
from kubeforge.parse import parse
from kubeforge.render import docstring_text, handwritten, prewrap, render


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    spec = source.bundled()
    package, _ = parse(spec.document, None, "kubeapi", spec.sha256)
    return render(package)


def test_handwritten_modules_are_already_black_formatted(rendered: dict[str, str]) -> None:
    """The format stage skips these files; this is what makes that safe."""
    paths = handwritten("kubeapi")
    assert paths <= set(rendered)
    for path in sorted(paths):
        assert format_one(rendered[path]) == rendered[path], f"{path}: run black on its template"


@given(st.text())
def test_any_description_reads_back_from_its_docstring(text: str) -> None:
    literal = f'"""{docstring_text(text)}"""'
    kept = text.replace("\r\n", "\n").strip(" \n\t")
    first, *rest = [line.rstrip(" \t") for line in kept.split("\n")]
    leading = [line[: len(line) - len(line.lstrip(" \t"))] for line in rest]
    rest = [pad.expandtabs() + line[len(pad) :] for pad, line in zip(leading, rest, strict=True)]
    expected = "\n".join([first, *rest])
    assert ast.literal_eval(literal) == expected


@given(st.lists(st.text(alphabet="ab{}()[],'\"\\ ", max_size=12), min_size=1, max_size=12))
def test_prewrap_never_breaks_code(strings: list[str]) -> None:
    """Long lines are split like black splits them, whatever brackets their strings hold."""
    call = "        self._init(" + ", ".join(repr(s) for s in strings) + ", " + "x" * 60 + ")"
    klass = "class A(" + ", ".join(f"B[{s!r}]" for s in strings) + ", " + "C" * 80 + "):"
    source = f"class K:\n    def f(self) -> None:\n{call}\n\n\n{klass}\n    pass\n"
    wrapped = prewrap(source)
    assert ast.dump(ast.parse(wrapped)) == ast.dump(ast.parse(source))


def test_prewrap_matches_black_on_generated_shapes() -> None:
    source = (
        "def f(\n    self,\n    a: int,\n) -> None:\n    self._init("
        + ", ".join(f"argument_{i}" for i in range(12))
        + ")\n"
    )
    assert format_one(prewrap(source)) == prewrap(source)
