"""Lossless typed views over decoded JSON.

A model owns the dict it was decoded from; its properties read and write that dict, nested
objects and collections are live views of it, and keys the model does not know are kept and
sent back untouched. Reading an absent object or collection gives an empty view that joins
its parent on first write, so `pod.metadata.labels["app"] = "web"` works on a new Pod.

A generated model declares each field twice, in one place each: an annotation for type
checkers (`spec: Object[PodSpec]`, a descriptor typed by what reads give and writes take)
and an entry in its field table `_f`, from which `Model.__init_subclass__` installs the
descriptors. The table is one string of space-separated `name:wire:code` entries:

- `name`: the Python attribute; `wire`: the JSON key, empty when equal to `name`, or `=`
  and the key's UTF-8 bytes in hex when it holds whitespace, `:`, `=` or unprintable text;
- `code`: `s` string, `i` integer, `b` boolean, `f` number, `n` int-or-string, `u` a union
  of scalars, `a` any JSON (all read as decoded), `t` time, `T` micro-time, `@Model` or `@module.Model` a nested
  model, `[` + code a list of, `{` + code a map of.

Entries are in the order of the constructor's keyword arguments. kubeforge's `fields`
module writes the tables; its tests read them back through `_field`.
"""

from __future__ import annotations

from . import codec
from .static import (
    TYPE_CHECKING,
    Generic,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    MutableSequence,
    TypeVar,
    cast,
    overload,
)

if TYPE_CHECKING:
    import re
    from datetime import datetime
    from typing import Any, ClassVar, Protocol

    from ..meta_v1 import ListMeta, ObjectMeta

    class _AnyModel(Protocol):
        """A model of any kubeforge package: a --base-package's classes are made by that
        package's copy of this runtime, so they are not subclasses of this Model."""

        def to_dict(self) -> dict[str, Any]: ...


T = TypeVar("T")
G = TypeVar("G")
S = TypeVar("S")
M = TypeVar("M", bound="Model")
AM = TypeVar("AM", bound="_AnyModel")
F = TypeVar("F", bound="Field[Any, Any]")
_FRACTION: re.Pattern[str] | None = None


def parse_time(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime (any fraction length, `Z` or an offset)."""
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    if "." in text:  # Python 3.10 reads only 3 or 6 fraction digits
        global _FRACTION
        if _FRACTION is None:
            import re

            _FRACTION = re.compile(r"\.(\d+)")
        text = _FRACTION.sub(lambda m: "." + (m.group(1) + "00000")[:6], text, count=1)
    from datetime import datetime  # here, as re: importing them costs more than the models

    return datetime.fromisoformat(text)


def format_time(value: datetime | str, micro: bool = False) -> str:
    """A datetime as the RFC 3339 text Kubernetes sends (UTC, `Z`); strings pass through."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        from datetime import timezone

        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


class _Conv:
    """How one value kind is read from and written to JSON."""

    __slots__ = ()

    def get(self, value: Any) -> Any:
        return value

    def put(self, value: Any) -> Any:
        return value

    def lazy(self, value: Any) -> Any:
        return codec.full(value)


class _Time(_Conv):
    __slots__ = ("micro",)

    def __init__(self, micro: bool) -> None:
        self.micro = micro

    def get(self, value: Any) -> Any:
        return parse_time(value) if isinstance(value, str) else value

    def put(self, value: Any) -> Any:
        return format_time(value, self.micro)


class _Ref(_Conv):
    """A model by name, resolved on first use (models may refer to later or other modules)."""

    __slots__ = ("name", "module", "_cls")

    def __init__(self, name: str, module: str) -> None:
        self.name, self.module = name, module
        self._cls: type[Model] | None = None

    @property
    def cls(self) -> type[Model]:
        found = self._cls
        if found is None:
            import importlib

            mod, _, attr = self.name.rpartition(".")
            package = self.module.partition(".")[0]  # the generated package
            where = importlib.import_module(f"{package}.{mod}" if mod else self.module)
            found = self._cls = getattr(where, attr)
            if type(found) is not _ModelType:
                # A --base-package class, made by that package's runtime: its codec must read
                # the values this one keeps lazily.
                import sys

                sys.modules[type(found).__module__].codec._msgspec()
        return found

    def get(self, value: Any) -> Any:
        return self.cls._view(value, None)

    def put(self, value: Any) -> Any:
        return value._d if isinstance(value, Model) else value

    def lazy(self, value: Any) -> Any:
        return codec.obj(value)


class _ListConv(_Conv):
    """A collection nested inside a collection: read and written as plain JSON."""

    __slots__ = ("item",)

    def __init__(self, item: _Conv) -> None:
        self.item = item

    def put(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.item.put(v) for k, v in value.items()}
        return [self.item.put(v) for v in value]


_SCALAR = _Conv()
_TIMES = {"t": _Time(False), "T": _Time(True)}


def _conv(code: str, module: str) -> _Conv:
    if code[0] == "@":
        return _Ref(code[1:], module)
    if code[0] in "[{":
        return _ListConv(_conv(code[1:], module))
    return _TIMES.get(code, _SCALAR)


class Field(Generic[G, S]):
    """Descriptor for one field: `name` in Python, `wire` in JSON.

    Type checkers see reads as `G` and writes as `S`; assigning None (or `del`) removes the key.
    Subclasses, one per value kind, implement `__get__` for their kind.
    """

    __slots__ = ("name", "wire", "conv")

    def __init__(self, name: str, wire: str, conv: _Conv) -> None:
        self.name, self.wire, self.conv = name, wire, conv

    @property
    def ref(self) -> _Ref | None:
        return self.conv if isinstance(self.conv, _Ref) else None

    def __set__(self, obj: Model, value: S) -> None:
        if value is None:
            self.__delete__(obj)
            return
        obj._touch()
        obj._d[self.wire] = self.encode(value)

    def __delete__(self, obj: Model) -> None:
        obj._d.pop(self.wire, None)

    def encode(self, value: Any) -> Any:
        """A Python value as the JSON this field holds."""
        return self.conv.put(value)


class Value(Field[T, T | None]):
    """A scalar or free-form JSON value, read as it was decoded."""

    __slots__ = ()

    @overload
    def __get__(self: F, obj: None, owner: type | None = None) -> F: ...
    @overload
    def __get__(self, obj: Model, owner: type | None = None) -> T: ...
    def __get__(self, obj: Model | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        d = obj._d
        value = d.get(self.wire)
        if type(value) is codec.Raw:
            value = d[self.wire] = codec.full(value)
        return value


class Time(Field[T, T | str | None]):
    """An RFC 3339 timestamp, read as an aware datetime; written from a datetime or text."""

    __slots__ = ()

    @overload
    def __get__(self: F, obj: None, owner: type | None = None) -> F: ...
    @overload
    def __get__(self, obj: Model, owner: type | None = None) -> T: ...
    def __get__(self, obj: Model | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        d = obj._d
        value = d.get(self.wire)
        if type(value) is codec.Raw:
            value = d[self.wire] = codec.full(value)
        return self.conv.get(value) if value is not None else None


class Object(Field[AM, AM | None]):
    """A nested model: a live view; an absent one reads as an empty view that joins on write."""

    __slots__ = ()
    conv: _Ref

    @overload
    def __get__(self: F, obj: None, owner: type | None = None) -> F: ...
    @overload
    def __get__(self, obj: Model, owner: type | None = None) -> AM: ...
    def __get__(self, obj: Model | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        d = obj._d
        cls = self.conv._cls or self.conv.cls
        value = d.get(self.wire)
        if value is None:
            return cls._view({}, (obj, self.wire))
        if type(value) is codec.Raw:
            value = d[self.wire] = codec.obj(value)
        if type(value) is not dict:
            raise _mismatch(obj, self.wire, value, f"{cls.__name__} expects an object")
        view = object.__new__(cls)
        view._d, view._up = value, None
        return view

    def encode(self, value: Any) -> Any:
        return value._d if isinstance(value, Model) else value


class List(Field[MutableSequence[T], Iterable[T] | None]):
    """A JSON array, read as a live `MutableSequence` view."""

    __slots__ = ()

    @overload
    def __get__(self: F, obj: None, owner: type | None = None) -> F: ...
    @overload
    def __get__(self, obj: Model, owner: type | None = None) -> MutableSequence[T]: ...
    def __get__(self, obj: Model | None, owner: type | None = None) -> Any:
        return self if obj is None else ListView(obj, self.wire, self.conv)

    def encode(self, value: Any) -> Any:
        return [self.conv.put(v) for v in value]


class Map(Field[MutableMapping[str, T], Mapping[str, T] | None]):
    """A JSON object used as a map, read as a live `MutableMapping` view."""

    __slots__ = ()

    @overload
    def __get__(self: F, obj: None, owner: type | None = None) -> F: ...
    @overload
    def __get__(self, obj: Model, owner: type | None = None) -> MutableMapping[str, T]: ...
    def __get__(self, obj: Model | None, owner: type | None = None) -> Any:
        return self if obj is None else MapView(obj, self.wire, self.conv)

    def encode(self, value: Any) -> Any:
        return {k: self.conv.put(v) for k, v in value.items()}


def _field(name: str, wire: str, code: str, module: str) -> Field[Any, Any]:
    """The descriptor for one entry of a model's field table (`name:wire:code`)."""
    if wire.startswith("="):
        wire = bytes.fromhex(wire[1:]).decode("utf-8", "surrogatepass")
    wire = wire or name
    if code[0] == "@":
        return Object(name, wire, _Ref(code[1:], module))
    if code[0] == "[":
        return List(name, wire, _conv(code[1:], module))
    if code[0] == "{":
        return Map(name, wire, _conv(code[1:], module))
    if code in _TIMES:
        return Time(name, wire, _TIMES[code])
    return Value(name, wire, _SCALAR)


class _Record:
    """A few named, read-only values: equal when they are, shown with their names."""

    __slots__: tuple[str, ...] = ()

    def __init__(self, *values: Any) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__
        )

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self) -> str:
        values = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({values})"


class PrinterColumn(_Record):
    """A column `kubectl get` shows for a custom resource (its CRD's additionalPrinterColumns)."""

    __slots__ = ("name", "type", "json_path", "description", "priority", "format")
    name: str
    type: str
    json_path: str
    description: str
    priority: int
    format: str

    def __init__(
        self,
        name: str,
        type: str,
        json_path: str,
        description: str = "",
        priority: int = 0,
        format: str = "",
    ) -> None:
        super().__init__(name, type, json_path, description, priority, format)


class APIResource(_Record):
    """What the server says about a kind's resource: `Pod.api_resource.plural == "pods"`.

    `storage_version` and `printer_columns` come from a CustomResourceDefinition; they are
    empty for built-in kinds.
    """

    __slots__ = (
        "group",
        "version",
        "kind",
        "plural",
        "singular",
        "namespaced",
        "short_names",
        "categories",
        "subresources",
        "storage_version",
        "printer_columns",
    )
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    subresources: tuple[str, ...]
    storage_version: str
    printer_columns: tuple[PrinterColumn, ...]

    def __init__(
        self,
        group: str,
        version: str,
        kind: str,
        plural: str,
        singular: str,
        namespaced: bool,
        short_names: tuple[str, ...] = (),
        categories: tuple[str, ...] = (),
        subresources: tuple[str, ...] = (),
        storage_version: str = "",
        printer_columns: tuple[PrinterColumn, ...] = (),
    ) -> None:
        super().__init__(
            group,
            version,
            kind,
            plural,
            singular,
            namespaced,
            short_names,
            categories,
            subresources,
            storage_version,
            printer_columns,
        )


class _ModelType(type):
    """`isinstance(x, Model)` holds for the models of every kubeforge package: one generated
    with --base-package re-exports the base package's classes (ObjectMeta), which were made
    by the base package's own copy of this runtime. Subclasses still check exactly."""

    def __instancecheck__(cls, obj: Any) -> bool:
        if type.__instancecheck__(cls, obj):
            return True
        return cls.__dict__.get("_any_package", False) is True and (
            getattr(type(obj), "_kubeforge_model", False) is True
        )


class Model(metaclass=_ModelType):
    """Base of every generated model: a typed, lossless view of one JSON object."""

    __slots__ = ("_d", "_up")
    _any_package: ClassVar[bool] = True
    _kubeforge_model: ClassVar[bool] = True
    _f: ClassVar[str] = ""
    _fields: ClassVar[dict[str, Field[Any, Any]]] = {}
    _secret: ClassVar[frozenset[str]] = frozenset()
    _gvk: ClassVar[tuple[str, str]] = ("", "")

    _d: dict[str, Any]
    _up: tuple[Any, str] | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, Field[Any, Any]] = {}
        for entry in cls.__dict__.get("_f", "").split():
            name, wire, code = entry.split(":", 2)
            field = _field(name, wire, code, cls.__module__)
            setattr(cls, name, field)
            fields[name] = field
        cls._fields = fields

    def _init(self, extra: Mapping[str, Any] | None, *values: Any) -> None:
        """Fill the wire dict from constructor arguments, in field-table order, then `extra`."""
        d: dict[str, Any] = {}
        api_version, kind = self._gvk
        if api_version:
            d["apiVersion"], d["kind"] = api_version, kind
        for field, value in zip(self._fields.values(), values, strict=True):
            if value is not None:
                d[field.wire] = field.encode(value)
        if extra:
            for key, value in extra.items():
                d[key] = value._d if isinstance(value, Model) else value
        self._d, self._up = d, None

    @classmethod
    def _view(cls: type[M], d: dict[str, Any], up: tuple[Any, str] | None) -> M:
        self = cls.__new__(cls)
        self._d, self._up = d, up
        return self

    def _touch(self) -> None:
        """Join the parent this empty view was read from, before the first write."""
        up = self._up
        if up is None:
            return
        parent, key = up
        parent._touch()
        existing = parent._d.get(key)
        if existing is None:
            parent._d[key] = self._d
        else:
            self._d = parent._d[key] = codec.obj(existing)
        self._up = None

    @classmethod
    def from_dict(cls: type[M], data: dict[str, Any]) -> M:
        """A view of `data` (not a copy): changes through the model change the dict."""
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__}.from_dict expects a dict, got {type(data).__name__}")
        return cls._view(data, None)

    @classmethod
    def from_json(cls: type[M], data: bytes | str) -> M:
        """Decode a JSON document; values are decoded only when they are read."""
        return cls._view(codec.loads_object(data), None)

    def to_dict(self) -> dict[str, Any]:
        """A plain deep copy of the object, unknown fields included."""
        result: dict[str, Any] = codec.plain(self._d)
        return result

    def to_json(self) -> bytes:
        """The object as compact JSON bytes, unknown fields included."""
        return codec.dumps(self._d)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        known = {f.wire for f in self._fields.values()}
        parts = []
        for name, field in self._fields.items():
            if field.wire not in self._d:
                continue
            if name in self._secret:
                parts.append(f"{name}=<redacted>")
                continue
            try:
                text = repr(getattr(self, name))
            except (TypeError, ValueError, AttributeError):
                # JSON that is not what the spec says (a string for an object): show it as is
                text = repr(codec.plain(self._d[field.wire]))
            parts.append(f"{name}={text}")
        extra = {k: codec.plain(v) for k, v in self._d.items() if k not in known}
        if extra:
            parts.append(f"_extra={extra!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class ListModel(Model, Generic[M]):
    """Base of list kinds (PodList): iterable over its items."""

    __slots__ = ()
    items: List[M]

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _mismatch(owner: Model, wire: str, value: Any, expected: str) -> TypeError:
    """JSON that is not what the spec says, named by where it is; the value is kept as sent."""
    return TypeError(
        f"{type(owner).__name__}.{wire}: the JSON holds {type(value).__name__} where"
        f" {expected} (to_dict() shows it as sent)"
    )


class ListView(MutableSequence[T]):
    """A live view of a JSON array held by a model; an absent array is created on first write."""

    __slots__ = ("_o", "_k", "_c")

    def __init__(self, owner: Model, key: str, conv: _Conv) -> None:
        self._o, self._k, self._c = owner, key, conv

    def _list(self, create: bool = False) -> list[Any]:
        value = self._o._d.get(self._k)
        if value is None:
            if not create:
                return []
            self._o._touch()
            value = self._o._d.get(self._k)
        if value is None:
            value = self._o._d[self._k] = []
        elif type(value) is codec.Raw:
            value = self._o._d[self._k] = codec.arr(value)
        if type(value) is not list:
            raise _mismatch(self._o, self._k, value, "a list is expected")
        items: list[Any] = value
        return items

    def _item(self, items: list[Any], i: int) -> Any:
        value = items[i]
        if type(value) is codec.Raw:
            value = items[i] = self._c.lazy(value)
        return self._c.get(value) if value is not None else None

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        items = self._list()
        if isinstance(i, slice):
            return [self._item(items, j) for j in range(*i.indices(len(items)))]
        return self._item(items, i)  # type: ignore[no-any-return]

    @overload
    def __setitem__(self, i: int, value: T) -> None: ...
    @overload
    def __setitem__(self, i: slice, value: Iterable[T]) -> None: ...
    def __setitem__(self, i: int | slice, value: Any) -> None:
        items = self._list(True)
        if isinstance(i, slice):
            items[i] = [self._c.put(v) for v in value]
        else:
            items[i] = self._c.put(value)

    def __delitem__(self, i: int | slice) -> None:
        del self._list(True)[i]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[T]:
        items = self._list()
        conv = self._c
        if type(conv) is _Ref:
            cls, raw = conv._cls or conv.cls, codec.Raw
            for i, value in enumerate(items):
                if type(value) is raw:
                    value = items[i] = codec.obj(value)
                view = object.__new__(cls)
                view._d, view._up = value, None
                yield view  # type: ignore[misc]
            return
        for i in range(len(items)):
            yield self._item(items, i)

    def insert(self, index: int, value: T) -> None:
        self._list(True).insert(index, self._c.put(value))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (ListView, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class MapView(MutableMapping[str, T]):
    """A live view of a JSON object used as a map; an absent map is created on first write."""

    __slots__ = ("_o", "_k", "_c")

    def __init__(self, owner: Model, key: str, conv: _Conv) -> None:
        self._o, self._k, self._c = owner, key, conv

    def _map(self, create: bool = False) -> dict[str, Any]:
        value = self._o._d.get(self._k)
        if value is None:
            if not create:
                return {}
            self._o._touch()
            value = self._o._d.get(self._k)
        if value is None:
            value = self._o._d[self._k] = {}
        elif type(value) is codec.Raw:
            value = self._o._d[self._k] = codec.obj(value)
        if type(value) is not dict:
            raise _mismatch(self._o, self._k, value, "a map is expected")
        items: dict[str, Any] = value
        return items

    def __getitem__(self, key: str) -> T:
        items = self._map()
        value = items[key]
        if type(value) is codec.Raw:
            value = items[key] = self._c.lazy(value)
        return cast(T, None if value is None else self._c.get(value))

    def __setitem__(self, key: str, value: T) -> None:
        self._map(True)[key] = self._c.put(value)

    def __delitem__(self, key: str) -> None:
        del self._map(True)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._map()))

    def __len__(self) -> int:
        return len(self._map())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (MapView, dict)):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class _DynConv(_Conv):
    """Values of a dynamic object: objects are read as live dynamic views, the rest as is."""

    __slots__ = ()

    def get(self, value: Any) -> Any:
        return Dynamic._view(value, None) if isinstance(value, dict) else value

    def put(self, value: Any) -> Any:
        return value._d if isinstance(value, Model) else value

    def lazy(self, value: Any) -> Any:
        return codec.obj(value)


_DYN = _DynConv()


class Dynamic(Model):
    """A JSON object without a schema: `obj["spec"]` and `obj.spec` read (and write) its keys,
    nested objects and arrays as live views, so changes go back to the wire untouched."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        d = self._d
        value = d[key]
        if type(value) is codec.Raw:
            value = d[key] = codec.obj(value)
        if isinstance(value, list):
            return ListView(self, key, _DYN)
        return _DYN.get(value)

    def __setitem__(self, key: str, value: Any) -> None:
        self._touch()
        self._d[key] = _DYN.put(value)

    def __delitem__(self, key: str) -> None:
        del self._d[key]

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._d else default

    def keys(self) -> list[str]:
        return list(self._d)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("_d", "_up") or name in type(self)._fields:
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        if name in type(self)._fields:
            object.__delattr__(self, name)
        else:
            del self[name]


class DynamicObject(Dynamic):
    """An object of a kind the package was not generated with (found by discovery):
    `metadata` is typed; everything else is reached by key or by attribute, losslessly."""

    __slots__ = ()
    _f = "api_version:apiVersion:s kind::s metadata::@meta_v1.ObjectMeta"

    api_version: Value[str | None]
    kind: Value[str | None]
    metadata: Object[ObjectMeta]

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._d, self._up = (codec.plain(dict(data)) if data else {}), None


class DynamicList(ListModel[DynamicObject]):
    """A list of dynamic objects, as a list call of a discovered resource answers."""

    __slots__ = ()
    _f = "api_version:apiVersion:s items::[@DynamicObject kind::s metadata::@meta_v1.ListMeta"

    api_version: Value[str | None]
    items: List[DynamicObject]
    kind: Value[str | None]
    metadata: Object[ListMeta]
