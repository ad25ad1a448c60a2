"""Shared fixtures: an isolated cache, the bundled spec, and packages generated from inline specs."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import GeneratePackage, thing_spec

from kubeforge import source
from kubeforge.cache import digest
from kubeforge.pipeline import Options, build
from kubeforge.write import write


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never read or fill the user's real cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("KUBEFORGE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# Where a bug in the fake server surfaces: its catch-all ("internal error on ..."), aiohttp's
# handler errors, and the event loop's unretrieved task exceptions.
_SERVER_LOGGERS = ("kubeforge.fake", "aiohttp.server", "aiohttp.web", "asyncio")


@pytest.fixture(autouse=True)
def _no_internal_errors() -> Iterator[None]:
    """Fail a test during which an in-process fake server logged an error: a bug there turns
    into a 500 and a log line, which the test itself might not notice."""
    handler = _Errors()
    loggers = [logging.getLogger(name) for name in _SERVER_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    if handler.records:
        formatter = logging.Formatter("%(name)s: %(message)s")
        text = "\n".join(formatter.format(r) for r in handler.records[:5])
        pytest.fail(f"the fake server logged {len(handler.records)} error(s):\n{text}")


@pytest.fixture(scope="session")
def bundled_spec() -> source.Spec:
    return source.bundled()


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    """helpers.thing_spec() as a file."""
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(thing_spec()))
    return path


@pytest.fixture
def generate_package(tmp_path: Path) -> Iterator[GeneratePackage]:
    """Generate a package from an inline spec into a temp dir and import it."""
    added: list[str] = []

    def make(document: dict[str, Any], name: str, discovery: dict[str, Any] | None = None) -> Any:
        spec = source.Spec(document, "inline", discovery, digest(repr((document, discovery))))
        files, _, _ = build(spec, Options(out=tmp_path, package=name))
        write(files, tmp_path, name)
        sys.path.insert(0, str(tmp_path))
        added.append(name)
        return importlib.import_module(name)

    yield make
    sys.path[:] = [p for p in sys.path if p != str(tmp_path)]
    for name in added:
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]
