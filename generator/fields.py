"""Field kinds: the one table of how an IR type becomes generated code.

For each kind of value it gives the Python type of a read, the runtime descriptor class
that annotates the field, and the code of its entry in the model's field table `_f`. The
constructor parameter's type is the descriptor's write type. The table's format is read,
and documented, by the runtime (`_runtime/model.py`); tests/test_fields.py reads every
entry written here back through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeforge.ir import Field, Package, TypeRef


@dataclass(frozen=True)
class Kind:
    code: str  # the field-table code (`@`, `[`, `{` take the model or item after them)
    python: str  # the Python type of a value; empty for models and collections
    descriptor: str  # the runtime descriptor class: Value, Time, Object, List or Map


KINDS: dict[str, Kind] = {
    "str": Kind("s", "str", "Value"),
    "quantity": Kind("s", "str", "Value"),
    "int": Kind("i", "int", "Value"),
    "bool": Kind("b", "bool", "Value"),
    "float": Kind("f", "float", "Value"),
    "int_or_str": Kind("n", "int | str", "Value"),
    "union": Kind("u", "", "Value"),  # of scalar kinds: its options give the Python type
    "any": Kind("a", "Any", "Value"),
    "time": Kind("t", "datetime", "Time"),
    "microtime": Kind("T", "datetime", "Time"),
    "model": Kind("@", "", "Object"),
    "list": Kind("[", "", "List"),
    "map": Kind("{", "", "Map"),
}
_UNSAFE_WIRE = frozenset(" \t\n\r\x0b\x0c:=")


class Imports:
    """What one module's annotations need from elsewhere, sorted when read."""

    def __init__(self, module: str, package: Package) -> None:
        self.module = module
        self.names: set[str] = set()
        self.collections: set[str] = set()
        self.datetime = False
        self._owner = {m.key: (mod.name, m.name) for mod in package.modules for m in mod.models}

    def model(self, key: str) -> str:
        module, name = self._owner[key]
        if module == self.module:
            return name
        self.names.add(module)
        return f"{module}.{name}"

    def qualified(self, key: str) -> str:
        module, name = self._owner[key]
        return f"{module}.{name}"


def value_type(t: TypeRef, imp: Imports) -> str:
    """The Python type of one value: `str`, `PodSpec`, `list[str]`, `dict[str, int]`,
    `float | str`; `| None` when null is a value of it (objects read as empty views)."""
    if t.kind == "model":
        return imp.model(t.model)
    if t.kind in ("list", "map"):
        assert t.item is not None
        item = value_type(t.item, imp)
        return f"list[{item}]" if t.kind == "list" else f"dict[str, {item}]"
    if t.kind in ("time", "microtime"):
        imp.datetime = True
    python = " | ".join(KINDS[o].python for o in t.options) if t.kind == "union" else None
    python = python or KINDS[t.kind].python
    return _optional(python) if t.nullable else python


def _optional(python: str) -> str:
    return python if python == "Any" or python.endswith(" | None") else f"{python} | None"


def annotation(f: Field, imp: Imports) -> str:
    """The field's annotation: its descriptor, typed by what a read gives."""
    t = f.type
    kind = KINDS[t.kind]
    if t.kind in ("list", "map"):
        assert t.item is not None
        read = value_type(t.item, imp)
    else:
        read = value_type(t, imp)
        if t.kind != "model" and not f.required:
            read = _optional(read)
    return f"_m.{kind.descriptor}[{read}]"


def param(t: TypeRef, imp: Imports) -> str:
    """The constructor parameter's type: what the descriptor's write takes."""
    if t.kind in ("list", "map"):
        assert t.item is not None
        item = value_type(t.item, imp)
        imp.collections.add("Iterable" if t.kind == "list" else "Mapping")
        return f"Iterable[{item}] | None" if t.kind == "list" else f"Mapping[str, {item}] | None"
    if t.kind in ("time", "microtime"):
        return _optional(value_type(t, imp).removesuffix(" | None") + " | str")
    return _optional(value_type(t, imp))


def code(t: TypeRef, imp: Imports) -> str:
    """The field-table code of a value of this type."""
    kind = KINDS[t.kind]
    if t.kind == "model":
        return kind.code + imp.model(t.model)
    if t.kind in ("list", "map"):
        assert t.item is not None
        return kind.code + code(t.item, imp)
    return kind.code


def entry(f: Field, imp: Imports) -> str:
    """The field's `name:wire:code` entry in its model's field table."""
    wire = f.wire
    if any(ch in _UNSAFE_WIRE or not ch.isprintable() for ch in wire) or wire.startswith("="):
        wire = "=" + wire.encode("utf-8", "surrogatepass").hex()
    elif wire == f.name:
        wire = ""
    return f"{f.name}:{wire}:{code(f.type, imp)}"
