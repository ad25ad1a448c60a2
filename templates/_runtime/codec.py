"""JSON codecs. msgspec, when installed, decodes lazily; orjson or json decode eagerly.

Lazy decoding keeps each not-yet-read value as a `Raw` slice of the response body: a
5,000-pod list costs one scan, holds few objects for the garbage collector to walk, and is
re-encoded by copying the untouched slices. The codec is chosen on first use, so importing
models costs nothing here. Set KUBEAPI_CODEC=msgspec|orjson|json to choose.
"""

from __future__ import annotations

import importlib
import os

from .static import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class _NeverRaw:
    """Stands in for msgspec.Raw until (unless) msgspec is loaded: no value is ever lazy."""


# Once msgspec has been loaded, Raw and the readers of lazily kept values stay set whatever
# codec is selected later: objects decoded before a select() (an informer's cache) stay
# readable, and the other codecs encode them by decoding their lazy parts.
Raw: type = _NeverRaw
_raw_full: Callable[[Any], Any]
_raw_obj: Callable[[Any], Any]
_raw_arr: Callable[[Any], Any]
_raw_event: Callable[[Any], Any]
_raw_identity: Callable[[Any], Any]
_invalid: type[Exception] = ValueError
NAME = ""
_lazy = False
_loads: Callable[[Any], Any]
_dumps: Callable[[Any], bytes]


def _unraw(value: Any) -> Any:
    """For json and orjson: a lazily kept value, decoded to plain data."""
    if type(value) is Raw:
        return _raw_full(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_dumps(value: Any) -> bytes:
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_unraw).encode()


def _optional(name: str) -> Any:
    """An optional accelerator, imported so that type checkers never need it or its stubs."""
    return importlib.import_module(name)


def _load() -> None:
    select(os.environ.get("KUBEAPI_CODEC", ""))


def _msgspec() -> bool:
    """Load msgspec's readers of lazy values (once); False if msgspec is not installed."""
    global Raw, _raw_full, _raw_obj, _raw_arr, _raw_event, _raw_identity, _invalid
    if Raw is not _NeverRaw:
        return True
    try:
        msgspec = _optional("msgspec")
    except ImportError:  # pragma: no cover - depends on the environment
        return False
    from types import GenericAlias

    decoder, raw = msgspec.json.Decoder, msgspec.Raw
    _raw_full = decoder().decode
    _raw_obj = decoder(GenericAlias(dict, (str, raw))).decode
    _raw_arr = decoder(GenericAlias(list, raw)).decode
    line = msgspec.defstruct(
        "WatchLine", [("type", str), ("object", GenericAlias(dict, (str, raw)))]
    )
    _raw_event = decoder(line).decode
    names = [("namespace", str, ""), ("name", str, ""), ("resourceVersion", str, "")]
    _raw_identity = decoder(msgspec.defstruct("Identity", names)).decode
    Raw, _invalid = raw, msgspec.ValidationError
    return True


def select(choice: str = "") -> str:
    """Use the named codec (msgspec, orjson, json), or the fastest installed; returns its name.

    Objects decoded earlier keep working whichever codec is selected.
    """
    global NAME, _lazy, _loads, _dumps
    if choice not in ("", "msgspec", "orjson", "json"):
        raise ValueError(f"unknown codec {choice!r}; use msgspec, orjson or json")
    if choice in ("", "msgspec") and _msgspec():
        _loads, _dumps = _raw_full, _optional("msgspec").json.Encoder().encode
        _lazy, NAME = True, "msgspec"
        return NAME
    _lazy = False
    if choice in ("", "orjson"):
        try:
            orjson = _optional("orjson")
        except ImportError:  # pragma: no cover - depends on the environment
            pass
        else:
            dump = orjson.dumps
            _loads, NAME = orjson.loads, "orjson"
            _dumps = lambda value: dump(value, default=_unraw)  # noqa: E731
            return NAME
    import json

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
    return _raw_full(value) if type(value) is Raw else value


def obj(value: Any) -> Any:
    """A lazily kept JSON object, decoded one level deep (its values stay lazy)."""
    if type(value) is not Raw:
        return value
    try:
        return _raw_obj(value)
    except _invalid:
        return _raw_full(value)


def arr(value: Any) -> Any:
    """A lazily kept JSON array, decoded one level deep (its items stay lazy)."""
    if type(value) is not Raw:
        return value
    try:
        return _raw_arr(value)
    except _invalid:
        return _raw_full(value)


def loads_object(data: bytes | str) -> dict[str, Any]:
    """Decode a document that must be a JSON object; its values stay lazy where possible."""
    if not NAME:
        _load()
    try:
        value = _raw_obj(data) if _lazy else _loads(data)
    except _invalid:
        value = _loads(data)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


def event(line: bytes) -> tuple[str, Any]:
    """(type, object) of one line of a watch stream, the object decoded one level deep.

    Even small objects are kept lazily: a watch keeps every object it delivered (to drop
    repeats and to tell what a relist changed), and decoded whole they are containers the
    garbage collector walks on every pass, which cost a 10,000-event watch half its time.
    """
    if not NAME:
        _load()
    if _lazy:
        try:
            found = _raw_event(line)
        except _invalid:
            pass  # not the usual shape: decoded as any document below
        else:
            return found.type, found.object
    value = _loads(line)
    if not isinstance(value, dict):
        raise ValueError(f"a watch event must be a JSON object, got {type(value).__name__}")
    return str(full(value.get("type")) or ""), obj(value.get("object"))


def identity(metadata: Any) -> tuple[str, str, str]:
    """(namespace, name, resourceVersion) of an object's metadata, lazily kept or not,
    without decoding (or changing) the rest of it."""
    if type(metadata) is Raw:
        try:
            found = _raw_identity(metadata)
        except _invalid:
            metadata = _raw_full(metadata)
        else:
            return found.namespace, found.name, found.resourceVersion
    if not isinstance(metadata, dict):
        return "", "", ""
    get = metadata.get
    namespace, name, version = get("namespace", ""), get("name", ""), get("resourceVersion", "")
    if type(namespace) is str and type(name) is str and type(version) is str:
        return namespace, name, version
    values = [full(v) for v in (namespace, name, version)]
    return tuple(v if isinstance(v, str) else "" for v in values)  # type: ignore[return-value]


def plain(value: Any) -> Any:
    """A deep copy with every lazy part decoded: plain dicts, lists and scalars."""
    return loads(dumps(value))
