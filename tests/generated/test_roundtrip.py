"""Every kind round-trips exactly, under every codec, on realistic documents.

Each document fills every field its model declares (three levels deep) with values of the
kinds real objects carry: RFC 3339 times with and without fractions and offsets, quantities,
int-or-string both ways, booleans, floats, nulls, int64 and uint64 extremes, unicode, empty
maps and lists, and unknown fields at every level. Comparisons are of bytes, or of decoded
values with their exact JSON types and key order (`True`, `1` and `1.0` all differ here).
"""

from __future__ import annotations

import importlib
import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from kubeapi._runtime.model import List, Map, Model, Object, Time, Value

from kubeforge.source import bundled

KINDS = sorted(
    key
    for key, schema in bundled().document["definitions"].items()
    if "x-kubernetes-group-version-kind" in schema
)
TIMES = [
    ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    (
        "2026-01-02T03:04:05.123456Z",
        datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
    ),
    (
        "2026-01-02T03:04:05+02:00",
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    ),
    (
        "2026-01-02T03:04:05.5-07:30",
        datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=timezone(-timedelta(hours=7, minutes=30))),
    ),
]
STRINGS = ["web-1", "500m", "1.5Gi", "ünïcødé ✓ 😀", 'line\nbreak "quoted" \\ \u2028', ""]
INTS = [0, 3, -1, 9223372036854775807, -9223372036854775808, 18446744073709551615]
FLOATS = [0.1, 3.0, -2.5, 12345.678]
UNKNOWN = {
    "zzNull": None,
    "zzBig": 9223372036854775807,
    "zzFloat": 3.0,
    "zzTrue": True,
    "zzFalse": False,
    "zzText": "ünï 😀",
    "zzEmptyMap": {},
    "zzEmptyList": [],
    "zzNested": {"a": [1, 1.0, True, None, "1"], "b": {"c": []}},
}
DEPTH = 3


class _Values:
    """Cycles through realistic values of each kind, so each document mixes them."""

    def __init__(self) -> None:
        self.strings = itertools.cycle(STRINGS)
        self.ints = itertools.cycle(INTS)
        self.floats = itertools.cycle(FLOATS)
        self.bools = itertools.cycle([True, False])
        self.times = itertools.cycle(TIMES)
        self.int_or_str = itertools.cycle([8080, "http", 0, "25%"])

    def scalar(self, code: str) -> Any:
        if code == "i":
            return next(self.ints)
        if code == "b":
            return next(self.bools)
        if code == "f":
            return next(self.floats)
        if code == "n":
            return next(self.int_or_str)
        if code in "tT":
            return next(self.times)[0]
        if code == "a":
            return {"free": ["form", 1, 0.5, False, None, {}]}
        return next(self.strings)


def _fill(cls: type[Model], values: _Values, depth: int) -> dict[str, Any]:
    """A document for `cls`: every field set, unknown keys beside them, then empty ones."""
    doc: dict[str, Any] = {}
    codes = {e.split(":")[0]: e.split(":", 2)[2] for e in cls._f.split()}
    for name, field in cls._fields.items():
        code = codes[name]
        if isinstance(field, Object):
            if depth > 0:
                doc[field.wire] = _fill(field.ref.cls, values, depth - 1)  # type: ignore[union-attr]
            continue
        if isinstance(field, (List, Map)):
            item = code[1:]
            if item.startswith("@"):
                if depth == 0:
                    doc[field.wire] = [] if isinstance(field, List) else {}
                    continue
                inner = field.conv.cls  # type: ignore[attr-defined]
                made = [_fill(inner, values, depth - 1) for _ in range(2)]
            elif item[0] in "[{":
                made = [
                    [values.scalar(item[1:])] if item[0] == "[" else {"k": values.scalar(item[1:])}
                ]
            else:
                made = [values.scalar(item), values.scalar(item)]
            doc[field.wire] = made if isinstance(field, List) else dict(zip(("x", "y"), made))
            continue
        doc[field.wire] = values.scalar(code)
    doc.update(json.loads(json.dumps(UNKNOWN)))
    return doc


def _class(key: str) -> type[Model]:
    parts = key.split(".")
    module = f"{parts[-3].replace('-', '_')}_{parts[-2]}"
    cls: type[Model] = getattr(importlib.import_module(f"kubeapi.{module}"), parts[-1])
    return cls


def _compact(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def strictly_equal(a: Any, b: Any, path: str = "$") -> None:
    """Equal as JSON with types and key order: `True`, `1` and `1.0` are all different."""
    assert type(a) is type(b), f"{path}: {a!r} ({type(a).__name__}) != {b!r} ({type(b).__name__})"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            strictly_equal(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            strictly_equal(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _read_all(obj: Model, doc: dict[str, Any], depth: int) -> int:
    """Read every field through the model; check each read's Python type; count the reads."""
    reads = 0
    for name, field in type(obj)._fields.items():
        if field.wire not in doc:
            continue
        value, wire = getattr(obj, name), doc[field.wire]
        reads += 1
        if isinstance(field, Object):
            reads += _read_all(value, wire, depth - 1)
        elif isinstance(field, List):
            assert len(value) == len(wire)
            for item, raw in zip(value, wire, strict=True):
                if isinstance(item, Model):
                    reads += _read_all(item, raw, depth - 1)
                else:
                    strictly_equal(item, raw)
        elif isinstance(field, Map):
            assert list(value) == list(wire)
        elif isinstance(field, Time):
            assert value == dict(TIMES)[wire] and value.tzinfo is not None
        else:
            assert isinstance(field, Value)
            strictly_equal(value, wire)
    return reads


@pytest.mark.parametrize("key", KINDS)
def test_every_kind_round_trips_exactly(key: str, each_codec: str) -> None:
    cls = _class(key)
    doc = _fill(cls, _Values(), DEPTH)
    raw = _compact(doc)

    untouched = cls.from_json(raw)
    assert untouched.to_json() == raw, "decode -> encode changes nothing"
    strictly_equal(untouched.to_dict(), doc)

    read = cls.from_json(raw)
    assert _read_all(read, doc, DEPTH) >= len(doc) - len(UNKNOWN)
    assert read.to_json() == raw, "reading every field changes nothing"

    changed = cls.from_json(raw)
    expected = json.loads(raw)
    if "metadata" in cls._fields and "name" in changed.metadata._fields:  # type: ignore[attr-defined]
        changed.metadata.name = "renamed"  # type: ignore[attr-defined]
        changed.metadata.labels["new"] = "yes"  # type: ignore[attr-defined]
        expected["metadata"]["name"] = "renamed"
        expected["metadata"]["labels"]["new"] = "yes"
    _change_one_nested_string(changed, expected)
    strictly_equal(json.loads(changed.to_json()), expected)
    strictly_equal(cls.from_json(changed.to_json()).to_dict(), expected)


def _change_one_nested_string(obj: Model, expected: dict[str, Any]) -> None:
    """Through the typed API, set one string field of a nested object other than metadata."""
    for name, field in type(obj)._fields.items():
        if not isinstance(field, Object) or name == "metadata" or field.wire not in expected:
            continue
        inner = getattr(obj, name)
        for inner_name, inner_field in type(inner)._fields.items():
            if isinstance(inner_field, Value) and isinstance(
                expected[field.wire].get(inner_field.wire), str
            ):
                setattr(inner, inner_name, "changed")
                expected[field.wire][inner_field.wire] = "changed"
                return


def test_documents_hold_every_kind_of_value() -> None:
    """The builder covers what the docstring promises (a check on the check)."""
    text = b"".join(_compact(_fill(_class(k), _Values(), DEPTH)) for k in KINDS[:40]).decode()
    for needle in [t for t, _ in TIMES] + ["500m", "ünïcødé", "8080", '"http"', "true", "false"]:
        assert needle in text, needle
    for number in ("9223372036854775807", "-9223372036854775808", "18446744073709551615", "3.0"):
        assert number in text, number
    assert '"zzEmptyMap":{}' in text and "null" in text
