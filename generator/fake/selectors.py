"""Label and field selectors in the API server's full syntax.

Labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists), `!a`; terms joined by commas.
Fields: `metadata.name=x`, `metadata.namespace!=y` (and `==`), as the generic registry supports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from kubeforge.fake.status import bad_request

Matcher = Callable[[Mapping[str, str]], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_SET = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s+\(([^)]*)\)\s*$")
_OP = re.compile(rf"^\s*({_KEY})\s*(==|!=|=)\s*([-A-Za-z0-9_.]*)\s*$")
_EXISTS = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


def _terms(text: str) -> list[str]:
    """Split on commas that are not inside a parenthesised set."""
    terms: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(ch)
    terms.append("".join(current))
    return [t for t in terms if t.strip()]


def _term(text: str) -> Matcher:
    if m := _SET.match(text):
        key, op, values = (
            m.group(1),
            m.group(3),
            {v.strip() for v in m.group(4).split(",") if v.strip()},
        )
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _OP.match(text):
        key, op, value = m.group(1), m.group(3), m.group(4)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _EXISTS.match(text):
        negate, key = m.group(1) == "!", m.group(2)
        return lambda labels: (key in labels) != negate
    raise bad_request(f"unable to parse requirement: {text.strip()!r}")


def label_selector(text: str | None) -> Matcher:
    """A predicate over an object's labels; empty or missing selects everything."""
    if not text:
        return lambda labels: True
    matchers = [_term(t) for t in _terms(text)]
    return lambda labels: all(m(labels) for m in matchers)


_FIELDS = {"metadata.name": ("name",), "metadata.namespace": ("namespace",)}


def field_selector(text: str | None) -> Callable[[dict[str, Any]], bool]:
    """A predicate over an object's fields; only the generic metadata fields are selectable."""
    if not text:
        return lambda obj: True
    checks = []
    for term in _terms(text):
        m = re.match(r"^\s*([A-Za-z.]+)\s*(==|!=|=)\s*(.*?)\s*$", term)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term.strip()}'")
        field, op, value = m.groups()
        if field not in _FIELDS:
            raise bad_request(f"field label not supported: {field}")
        checks.append((_FIELDS[field][0], op == "!=", value))

    def match(obj: dict[str, Any]) -> bool:
        meta = obj.get("metadata") or {}
        return all((str(meta.get(key, "")) == value) != negate for key, negate, value in checks)

    return match


def selector(query: Mapping[str, str]) -> Callable[[dict[str, Any]], bool]:
    """A predicate over whole objects: a request's `labelSelector` and `fieldSelector`."""
    labels = label_selector(query.get("labelSelector"))
    fields = field_selector(query.get("fieldSelector"))
    return lambda obj: labels((obj.get("metadata") or {}).get("labels") or {}) and fields(obj)
