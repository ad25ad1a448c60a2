"""Acceptance 3: for every kind, unknown fields survive decode -> typed change -> encode."""

from __future__ import annotations

import copy
import importlib
import json
from typing import Any

import pytest
from kubeapi._runtime.model import List, Model, Object, Value
from kubeforge.source import bundled

KINDS = sorted(
    (key, schema["x-kubernetes-group-version-kind"])
    for key, schema in bundled().document["definitions"].items()
    if "x-kubernetes-group-version-kind" in schema
)
UNKNOWN = {"zzDeep": [1, {"x": None, "y": [True, 2.5]}], "zzText": "kept"}


def _class(key: str) -> type[Model]:
    parts = key.split(".")
    module = f"{parts[-3].replace('-', '_')}_{parts[-2]}"
    cls: type[Model] = getattr(importlib.import_module(f"kubeapi.{module}"), parts[-1])
    return cls


def _fields(cls: type[Model], kind: type) -> list[Any]:
    return [f for f in cls._fields.values() if type(f) is kind]


def _scalar_str(cls: type[Model]) -> Any:
    return next(
        (
            f
            for f in cls._fields.values()
            if type(f) is Value and f.wire not in ("apiVersion", "kind")
        ),
        None,
    )


def _document(cls: type[Model]) -> dict[str, Any]:
    """A wire document with unknown fields at the top, in nested objects and in list items."""
    doc: dict[str, Any] = json.loads(cls().to_json())
    doc["zzTop"] = copy.deepcopy(UNKNOWN)
    for field in _fields(cls, List)[:1]:
        if type(field.conv).__name__ == "_Ref":
            doc[field.wire] = [{"zzItem": copy.deepcopy(UNKNOWN)}]
    for field in _fields(cls, Object):
        nested: dict[str, Any] = {"zzNested": copy.deepcopy(UNKNOWN)}
        for inner in _fields(field.ref.cls, List)[:1]:
            if inner.conv.__class__.__name__ == "_Ref":
                nested[inner.wire] = [{"zzItem": copy.deepcopy(UNKNOWN)}]
        doc[field.wire] = nested
    return doc


@pytest.mark.parametrize(("key", "gvks"), KINDS, ids=[k for k, _ in KINDS])
def test_unknown_fields_survive_a_typed_change(key: str, gvks: Any, each_codec: str) -> None:
    cls = _class(key)
    doc = _document(cls)
    expected = copy.deepcopy(doc)
    items = cls._fields.get("items")
    if type(items) is List:
        doc["items"] = expected["items"] = [_document(items.conv.cls)]
        expected["items"][0]["metadata"]["name"] = "item-renamed"
        expected["metadata"]["resourceVersion"] = "42"
    obj = cls.from_json(json.dumps(doc).encode())
    if items is not None:
        obj.items[0].metadata.name = "item-renamed"  # type: ignore[attr-defined]
        obj.metadata.resource_version = "42"  # type: ignore[attr-defined]
    elif "metadata" in cls._fields and cls._fields["metadata"].ref.cls.__name__ == "ObjectMeta":
        obj.metadata.name = "renamed"  # type: ignore[attr-defined]
        obj.metadata.labels["changed"] = "yes"  # type: ignore[attr-defined]
        expected["metadata"]["name"] = "renamed"
        expected["metadata"]["labels"] = {"changed": "yes"}
    elif "metadata" in cls._fields:
        obj.metadata.resource_version = "7"  # type: ignore[attr-defined]
        expected["metadata"]["resourceVersion"] = "7"
    changed_nested = False
    for field in _fields(cls, Object):
        inner = _scalar_str(field.ref.cls)
        if field.wire != "metadata" and inner is not None and items is None:
            setattr(getattr(obj, field.name), inner.name, "changed")
            expected[field.wire][inner.wire] = "changed"
            changed_nested = True
            break
    if not changed_nested and "metadata" not in cls._fields and items is None:
        lists = [f for f in _fields(cls, List) if type(f.conv).__name__ == "_Ref"]
        top = _scalar_str(cls)
        if lists and _scalar_str(lists[0].conv.cls) is not None:
            inner = _scalar_str(lists[0].conv.cls)
            setattr(getattr(obj, lists[0].name)[0], inner.name, "changed")
            expected[lists[0].wire][0][inner.wire] = "changed"
        else:
            assert top is not None, f"{key}: nothing to change"
            setattr(obj, top.name, "changed")
            expected[top.wire] = "changed"
    assert json.loads(obj.to_json()) == expected
    assert obj.to_dict() == expected
    assert cls.from_json(obj.to_json()) == obj
