"""black, in-process, with a mode pinned here; parallel across cores; cached by content.

Files rendered in black's layout (`render.laid_out`) that pass `layout.black_form` are
already what black would write, so they skip it: black runs at ~100 KB/s on generated modules,
which for a big CRD set was most of the generation time. That holds for the stable style
`layout.STYLE` emulates; under another major version of black every file goes through black.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from importlib.metadata import version

import black
from black.mode import TargetVersion
from black.report import NothingChanged

from kubeforge import layout
from kubeforge.cache import Cache, digest
from kubeforge.layout import LINE_LENGTH

MODE = black.Mode(
    target_versions={TargetVersion.PY310},
    line_length=LINE_LENGTH,
    string_normalization=True,
    magic_trailing_comma=True,
)
_KEY = f"black {version('black')} {MODE!r}"
# black promises one stable style per calendar year, named by its major version
EMULATED = version("black").split(".")[0] == str(layout.STYLE)


def format_one(text: str) -> str:
    """One file through black; raises black's error on code that does not parse."""
    try:
        return black.format_str(text, mode=MODE)
    except NothingChanged:  # pragma: no cover - format_str does not raise it
        return text


def format_all(
    files: dict[str, str],
    cache: Cache,
    pool: Callable[[], Executor] | None,
    preformatted: frozenset[str] = frozenset(),
    laid_out: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Every .py file formatted; files already formatted once are taken from the cache.

    `preformatted` files are black-formatted as they are; `laid_out` ones are when their
    guard, `layout.black_form`, says so.
    """
    out = dict(files)
    todo: list[tuple[str, str]] = []
    for path, text in files.items():
        if not path.endswith(".py") or path in preformatted:
            continue
        if EMULATED and path in laid_out and layout.black_form(text):
            continue
        key = digest(_KEY, text)
        hit = cache.get(key)
        if hit is not None:
            out[path] = hit.decode()
        else:
            todo.append((path, key))
    if not todo:
        return out
    texts = [files[p] for p, _ in todo]
    # Largest first, so one big module does not finish last on an idle core.
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    if pool is None or len(todo) == 1:
        results = {i: format_one(texts[i]) for i in order}
    else:
        chunk = max(1, len(order) // ((os.cpu_count() or 1) * 4))
        formatted = pool().map(format_one, [texts[i] for i in order], chunksize=chunk)
        results = dict(zip(order, formatted, strict=True))
    for i, (path, key) in enumerate(todo):
        out[path] = results[i]
        cache.put(key, results[i].encode())
    return out
