"""The generator's stages in order: source -> validate -> parse -> render -> format -> write/check."""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

from kubeforge import format as fmt
from kubeforge import source, validate, write
from kubeforge.cache import Cache, digest
from kubeforge.diagnostics import Diagnostic, GenerateError, Level, grouped
from kubeforge.ir import Package, Skipped
from kubeforge.parse import parse
from kubeforge.render import handwritten, laid_out, render

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    out: Path
    package: str = "kubeapi"
    check: bool = False
    strict: bool = False
    lenient: bool = False
    use_cache: bool = True
    quiet: bool = False
    base_package: str = ""


@dataclass(frozen=True)
class Result:
    files: dict[str, str]
    warnings: list[Diagnostic]
    skipped: tuple[Skipped, ...]
    differences: list[str]


class _Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        if not self.quiet:
            print(f"kubeforge: {name:<9} {time.perf_counter() - start:6.2f} s", file=sys.stderr)


class _Pool:
    """Worker processes, started only if some stage has work for them."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


Built = tuple[dict[str, str], list[Diagnostic], tuple[Skipped, ...]]


@functools.cache
def _code() -> str:
    """A digest of what makes the output besides the spec: kubeforge's code and templates,
    and black's version. Any change to them is another build."""
    root = Path(__file__).resolve().parent
    templates = Path(str(resources.files("kubeforge.templates")))
    parts: list[str | bytes] = [importlib.metadata.version("black")]
    for folder in (root, templates):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".jinja") and path.is_file():
                parts += [str(path.relative_to(folder)), path.read_bytes()]
    return digest(*parts)


def _build_key(spec: source.Spec, options: Options, previous: dict[str, str]) -> str:
    base = ""
    if options.base_package:
        found = importlib.util.find_spec(options.base_package)
        groups = Path(found.origin).with_name("_groups.py") if found and found.origin else None
        base = groups.read_text() if groups and groups.is_file() else "(not installed)"
    return digest(
        _code(),
        spec.sha256,
        options.package,
        options.base_package,
        base,
        str(options.lenient),
        json.dumps(previous, sort_keys=True),
    )


def _encode(built: Built) -> bytes:
    files, warnings, skipped = built
    return json.dumps(
        {
            "files": files,
            "warnings": [[d.where, d.message, d.level.value, d.action] for d in warnings],
            "skipped": [dataclasses.astuple(s) for s in skipped],
        }
    ).encode()


def _decode(data: bytes) -> Built:
    value = json.loads(data)
    warnings = [Diagnostic(w, m, Level(level), a) for w, m, level, a in value["warnings"]]
    return value["files"], warnings, tuple(Skipped(*s) for s in value["skipped"])


def build(spec: source.Spec, options: Options, progress: _Progress | None = None) -> Built:
    """The formatted tree for a spec, rendered in memory; its warnings; operations left out.

    A build is a function of the spec, the options, the modules an earlier generation named
    and kubeforge's own code: the same inputs again are one cache read.
    """
    progress = progress or _Progress(True)
    previous = write.previous_modules(options.out, options.package)
    cache = Cache("build", options.use_cache)
    key = _build_key(spec, options, previous)
    found = cache.get(key)
    if found is not None:
        files, warnings, skipped = _decode(found)
    else:
        files, warnings, skipped = _build(spec, options, progress, previous)
        encoded = _encode((files, warnings, skipped))
        cache.put(key, encoded)
        # The next run starts from the modules this one names, and builds the same tree.
        named = write.modules_of(files.get(f"{options.package}/_groups.py", ""))
        if named != previous:
            cache.put(_build_key(spec, options, named), encoded)
    if options.strict and warnings:
        raise GenerateError(
            [Diagnostic(d.where, d.message, Level.ERROR, "--strict") for d in warnings]
        )
    return files, warnings, skipped


def _build(
    spec: source.Spec, options: Options, progress: _Progress, previous: dict[str, str]
) -> Built:
    checked = validate.structural(spec.document, options.lenient)
    if checked.errors:
        raise GenerateError(checked.errors)
    document = checked.document
    # A repaired document is another document to the validator's cache.
    checked_sha = spec.sha256 if document is spec.document else digest(spec.sha256, "repaired")
    pool = _Pool()
    try:
        findings = validate.cached(checked_sha, options.use_cache)
        verdicts: list[Future[list[Diagnostic]]] = []
        if findings is None:
            # The validator is slow and independent of rendering: it runs on the other cores,
            # a big document in parts.
            verdicts = [
                pool.get().submit(validate.part_findings, part)
                for part in validate.parts(document, os.cpu_count() or 1)
            ]
        with progress.stage("parse"):
            package, warnings = parse(
                document, spec.discovery, options.package, spec.sha256, previous, spec.crds
            )
        with progress.stage("render"):
            from_base = _from_base(package, spec, options.base_package)
            files = render(package, options.base_package, from_base)
        with progress.stage("format"):
            cache = Cache("format", options.use_cache)
            files = fmt.format_all(
                files, cache, pool.get, handwritten(options.package), laid_out(package)
            )
        with progress.stage("validate"):
            if verdicts:
                findings = sorted({d for v in verdicts for d in v.result()})
                validate.remember(checked_sha, findings, options.use_cache)
    finally:
        pool.close()
    assert findings is not None
    return files, grouped([*checked.warnings, *warnings, *findings]), package.skipped


def _from_base(package: Package, spec: source.Spec, base: str) -> frozenset[str]:
    """The modules the installed base package has and the custom resources do not need."""
    if not base:
        return frozenset()
    try:
        found = importlib.util.find_spec(base)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise GenerateError(
            [Diagnostic("--base-package", f"{base} is not installed (pip install it first)")]
        )
    custom = {(c.get("spec") or {}).get("group") for c in spec.crds}
    return frozenset(
        m.name
        for m in package.modules
        if m.group not in custom and importlib.util.find_spec(f"{base}.{m.name}") is not None
    )


def run(load: Callable[[], source.Spec], options: Options) -> Result:
    """Generate (or check) a package from a spec source; nothing is written on any error."""
    progress = _Progress(options.quiet)
    if not options.check:
        write.check_target(options.out)
    with progress.stage("source"):
        spec = load()
    files, warnings, skipped = build(spec, options, progress)
    with progress.stage("check" if options.check else "write"):
        diffs = write.differences(files, options.out, options.package)
        if not options.check and diffs:
            write.write(files, options.out, options.package)
    return Result(files, warnings, skipped, diffs)
