"""Put a rendered tree on disk atomically, or compare it with what is there (--check).

The generator owns `<out>/<package>/` entirely and `<out>/pyproject.toml`. A new package
directory is written beside the old one and swapped in by rename, so a failure leaves the
old tree as it was; files the new tree does not have are gone with the old directory.
"""

from __future__ import annotations

import ast
import difflib
import os
import shutil
import tempfile
from pathlib import Path

from kubeforge.diagnostics import fail

_IGNORED = ("__pycache__",)


def _existing(out: Path, package: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    root = out / package
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(part in _IGNORED for part in path.parts):
                found[path.relative_to(out).as_posix()] = path.read_bytes()
    top = out / "pyproject.toml"
    if top.is_file():
        found["pyproject.toml"] = top.read_bytes()
    return found


def previous_modules(out: Path, package: str) -> dict[str, str]:
    """group/version -> module of an earlier generation in `out` (its `_groups.py`), if any."""
    try:
        return modules_of((out / package / "_groups.py").read_text())
    except OSError:
        return {}


def modules_of(groups: str) -> dict[str, str]:
    """group/version -> module, as the text of a generated `_groups.py` lists them."""
    try:
        tree = ast.parse(groups)
    except (SyntaxError, ValueError):
        return {}
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "MODULES"
            and node.value is not None
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return {}
            if isinstance(value, dict):
                return {str(k): str(v) for k, v in value.items()}
    return {}


def differences(files: dict[str, str], out: Path, package: str) -> list[str]:
    """What differs between the rendered tree and the directory, one line per file."""
    existing = _existing(out, package)
    lines = []
    for path in sorted(set(files) | set(existing)):
        if path not in existing:
            lines.append(f"missing: {out / path}")
        elif path not in files:
            lines.append(f"stale:   {out / path}")
        elif files[path].encode() != existing[path]:
            lines.append(f"differs: {out / path}")
    return lines


def unified_diff(files: dict[str, str], out: Path, package: str) -> str:
    """What writing would change, as a unified diff (`a/` the directory, `b/` the new tree)."""
    existing = _existing(out, package)
    chunks: list[str] = []
    for path in sorted(set(files) | set(existing)):
        old = existing[path].decode(errors="replace") if path in existing else None
        new = files.get(path)
        if old == new:
            continue
        chunks += difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            f"a/{path}" if old is not None else "/dev/null",
            f"b/{path}" if new is not None else "/dev/null",
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def check_target(out: Path) -> None:
    """Fail before any work when `out` cannot take the package (it is written last)."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise fail(str(out), f"cannot write the package here: {existing} is not a directory")
    try:
        tempfile.TemporaryDirectory(dir=existing, prefix=".kubeforge-probe-").cleanup()
    except OSError as exc:
        raise fail(str(out), f"cannot write the package here: {exc.strerror or exc}") from None


def write(files: dict[str, str], out: Path, package: str) -> None:
    """Replace `<out>/<package>/` and `<out>/pyproject.toml` with the rendered tree."""
    try:
        _write(files, out, package)
    except OSError as exc:
        where = exc.filename or out
        raise fail(str(where), f"cannot write the package: {exc.strerror or exc}") from None


def _write(files: dict[str, str], out: Path, package: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{package}-new-", dir=out))
    try:
        for rel, text in files.items():
            if rel == "pyproject.toml":
                continue
            target = staging / Path(rel).relative_to(package)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode())
        final = out / package
        old = out / f".{package}-old-{os.getpid()}"
        if final.exists():
            os.rename(final, old)
        try:
            os.rename(staging, final)
        except OSError:
            if old.exists():
                os.rename(old, final)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if "pyproject.toml" in files:
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".pyproject-")
        with os.fdopen(fd, "wb") as f:
            f.write(files["pyproject.toml"].encode())
        os.replace(tmp, out / "pyproject.toml")
