"""Rendering: hand-written modules come out black-stable (tests/test_layout.py: the rest)."""

from __future__ import annotations

import pytest

from kubeforge import source
from kubeforge.format import format_one
from kubeforge.parse import parse
from kubeforge.render import handwritten, render


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
