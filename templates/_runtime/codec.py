"""JSON codecs. msgspec, when installed, decodes lazily; orjson or json decode eagerly.

Lazy decoding keeps each not-yet-read value as a `Raw` slice of the response body: a
5,000-pod list costs one scan, holds few objects for the garbage collector to walk, and is
re-encoded by copying the untouched slices. The codec is chosen on first use, so importing
models costs nothing here. Set KUBEAPI_CODEC=msgspec|orjson|json to choose.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from types import GenericAlias
from typing import Any


class _NeverRaw:
    """Stands in for msgspec.Raw until (unless) msgspec is loaded: no value is ever lazy."""


Raw: type = _NeverRaw
NAME = ""
_loads: Callable[[Any], Any]
_dumps: Callable[[Any], bytes]
_obj: Callable[[Any], Any]
_arr: Callable[[Any], Any]
_invalid: type[Exception] = ValueError


def _json_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _optional(name: str) -> Any:
    """An optional accelerator, imported so that type checkers never need it or its stubs."""
    return importlib.import_module(name)


def _load() -> None:
    select(os.environ.get("KUBEAPI_CODEC", ""))


def select(choice: str = "") -> str:
    """Use the named codec (msgspec, orjson, json), or the fastest installed; returns its name.

    Select before decoding anything: values decoded lazily by msgspec need msgspec to read.
    """
    global Raw, NAME, _loads, _dumps, _obj, _arr, _invalid
    if choice not in ("", "msgspec", "orjson", "json"):
        raise ValueError(f"unknown codec {choice!r}; use msgspec, orjson or json")
    Raw, _invalid = _NeverRaw, ValueError
    if choice in ("", "msgspec"):
        try:
            msgspec = _optional("msgspec")
        except ImportError:  # pragma: no cover - depends on the environment
            pass
        else:
            decoder, raw = msgspec.json.Decoder, msgspec.Raw
            _loads, _dumps = decoder().decode, msgspec.json.Encoder().encode
            _obj = decoder(GenericAlias(dict, (str, raw))).decode
            _arr = decoder(GenericAlias(list, raw)).decode
            Raw, _invalid, NAME = raw, msgspec.ValidationError, "msgspec"
            return NAME
    if choice in ("", "orjson"):
        try:
            orjson = _optional("orjson")
        except ImportError:  # pragma: no cover - depends on the environment
            pass
        else:
            _loads, _dumps, NAME = orjson.loads, orjson.dumps, "orjson"
            return NAME
    _loads, _dumps, NAME = json.loads, _json_dumps, "json"
    return NAME


def loads(data: bytes | str) -> Any:
    """Decode a whole JSON document."""
    if not NAME:
        _load()
    return _loads(data)


def dumps(value: Any) -> bytes:
    """Encode to compact JSON bytes; lazily kept parts are copied as they came."""
    if not NAME:
        _load()
    return _dumps(value)


def full(value: Any) -> Any:
    """A lazily kept value, decoded completely; anything else as it is."""
    return _loads(value) if type(value) is Raw else value


def obj(value: Any) -> Any:
    """A lazily kept JSON object, decoded one level deep (its values stay lazy)."""
    if type(value) is not Raw:
        return value
    try:
        return _obj(value)
    except _invalid:
        return _loads(value)


def arr(value: Any) -> Any:
    """A lazily kept JSON array, decoded one level deep (its items stay lazy)."""
    if type(value) is not Raw:
        return value
    try:
        return _arr(value)
    except _invalid:
        return _loads(value)


def loads_object(data: bytes | str) -> dict[str, Any]:
    """Decode a document that must be a JSON object; its values stay lazy where possible."""
    if not NAME:
        _load()
    try:
        value = _obj(data) if Raw is not _NeverRaw else _loads(data)
    except _invalid:
        value = _loads(data)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


def plain(value: Any) -> Any:
    """A deep copy with every lazy part decoded: plain dicts, lists and scalars."""
    return loads(dumps(value))
