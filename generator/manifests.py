"""CustomResourceDefinitions read from manifests: files, directories and stdin, as kubectl reads them.

A file is a YAML stream (one or more `---` documents) or JSON; a document may be a `List`
(`kind: List` or any `...List` with `items`), whose items count one by one. Documents that
are not CRDs are passed over, so a directory of a chart's manifests works as it is.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kubeforge.cache import Cache, digest
from kubeforge.diagnostics import fail

Json = dict[str, Any]
_SUFFIXES = (".yaml", ".yml", ".json")
_CRD_API = "apiextensions.k8s.io/v1"
# What a cached reading depends on besides the file: how this module reads YAML.
_READER = Path(__file__).read_bytes()

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """PyYAML's safe loader, reading what Kubernetes' YAML reader reads.

    YAML 1.1's `=` "value" tag has no constructor in PyYAML's safe loader, so a bare `=` (a
    real default in some CRDs) fails there; Kubernetes reads it as the string "=".
    """


_Loader.add_constructor("tag:yaml.org,2002:value", _Loader.construct_yaml_str)
# Kubernetes turns YAML into JSON, where an unquoted date is text, not a datetime.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


@dataclass(frozen=True)
class Manifest:
    """One CRD and where it was read: `file (document N)`."""

    crd: Json
    where: str

    @property
    def name(self) -> str:
        return str((self.crd.get("metadata") or {}).get("name") or "")


def _documents(text: str, where: str, as_json: bool) -> list[tuple[Any, str]]:
    if as_json:
        try:
            return [(json.loads(text), where)]
        except json.JSONDecodeError as exc:
            raise fail(
                where, f"is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(where, f"is not YAML: {problem}{at}") from None
    if len(docs) == 1:
        return [(docs[0], where)]
    return [(doc, f"{where} (document {i})") for i, doc in enumerate(docs, 1)]


def _items(doc: Any, where: str) -> list[Manifest]:
    if not isinstance(doc, dict):
        return []
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        out = []
        for i, item in enumerate(doc["items"]):
            out.extend(_items(item, f"{where} items[{i}]"))
        return out
    if kind != "CustomResourceDefinition":
        return []
    api = doc.get("apiVersion")
    if api != _CRD_API:
        raise fail(
            where,
            f"CustomResourceDefinition {(doc.get('metadata') or {}).get('name', '?')} has"
            f" apiVersion {api!r}; only {_CRD_API} is served (v1beta1 was removed in 1.22)",
        )
    return [Manifest(doc, where)]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise fail(str(path), "is not UTF-8 text") from None
    except OSError as exc:
        raise fail(str(path), f"cannot read: {exc.strerror}") from None


def _files(arg: str) -> list[Path]:
    path = Path(arg)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES)
    if not path.exists():
        raise fail(arg, "no such file or directory")
    return [path]


def _parsed(path: Path, cache: Cache) -> list[tuple[Any, str]]:
    """A file's documents; a file read before is taken from the cache (YAML is slow to load)."""
    data = path.read_bytes() if path.is_file() else b""
    key = digest("manifests", _READER, data)
    found = cache.get(key)
    if found is not None:
        docs: list[Any] = json.loads(found)
        if len(docs) == 1:
            return [(docs[0], str(path))]
        return [(doc, f"{path} (document {i})") for i, doc in enumerate(docs, 1)]
    text = _read(path)
    parsed = _documents(text, str(path), path.suffix.lower() == ".json")
    # A value JSON cannot hold (YAML's !!binary, a set) is read again next time.
    with contextlib.suppress(TypeError, ValueError):
        cache.put(key, json.dumps([doc for doc, _ in parsed]).encode())
    return parsed


def load(paths: list[str], use_cache: bool = True) -> list[Manifest]:
    """Every CRD in the named files, directories (recursively, in name order) and `-` (stdin)."""
    out: list[Manifest] = []
    cache = Cache("manifests", use_cache)
    for arg in paths:
        if arg == "-":
            text = sys.stdin.read()
            out.extend(m for d, w in _documents(text, "<stdin>", False) for m in _items(d, w))
            continue
        for path in _files(arg):
            out.extend(m for d, w in _parsed(path, cache) for m in _items(d, w))
    if not out:
        raise fail(", ".join(paths), "holds no CustomResourceDefinition")
    seen: dict[str, str] = {}
    for m in out:
        if m.name in seen:
            raise fail(m.where, f"CustomResourceDefinition {m.name} is also in {seen[m.name]}")
        seen[m.name] = m.where
    return out
