"""Sanitised names are types, made in one place.

`PythonName` is a valid snake_case identifier for attributes, parameters and modules;
`ClassName` is a valid PascalCase identifier. Both keep nothing of the wire name but
what Python allows; the wire name always travels beside them in the IR.
"""

from __future__ import annotations

import keyword
import re

# Names a generated model already uses for its own API, that a generated function body
# relies on, or that generated annotations use (a field named `int` would shadow the type
# inside its class).
RESERVED = frozenset(
    {"self", "cls", "to_dict", "to_json", "from_dict", "from_json", "extra", "raw"}
    | {"str", "int", "bool", "float", "list", "dict", "datetime", "Any", "Iterable", "Mapping"}
    | {"MutableMapping", "MutableSequence", "TYPE_CHECKING", "ListModel", "Model"}
)

_ACRONYM_PLURAL = re.compile(r"([A-Z]{2,})s(?=$|[A-Z0-9_])")
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_UPPER_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9A-Za-z_]+")
_VERSION = re.compile(r"^v\d+((alpha|beta)\d+)?$")


def is_version(text: str) -> bool:
    """True for Kubernetes API versions such as v1, v2beta1, v1alpha3."""
    return _VERSION.match(text) is not None


class PythonName(str):
    """A snake_case identifier made from a wire name: `podIPs` -> `pod_ips`, `from` -> `from_`."""

    __slots__ = ()

    def __new__(cls, wire: str) -> PythonName:
        text = wire.replace("$", "")
        text = _ACRONYM_PLURAL.sub(lambda m: m.group(1) + "S", text)
        text = _UPPER_RUN.sub(r"\1_\2", _LOWER_UPPER.sub(r"\1_\2", text))
        text = _NOT_IDENT.sub("_", text).strip("_").lower()
        text = re.sub(r"_+", "_", text) or "field"
        if text[0].isdigit():
            text = "f_" + text
        if keyword.iskeyword(text) or text in RESERVED:
            text += "_"
        return str.__new__(cls, text)


class ClassName(str):
    """A PascalCase identifier: `Pod` stays `Pod`, `foo-bar.baz` becomes `FooBarBaz`."""

    __slots__ = ()

    def __new__(cls, wire: str) -> ClassName:
        parts = [p for p in re.split(r"[^0-9A-Za-z]+", wire) if p]
        text = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
        if text[0].isdigit():
            text = "M" + text
        if keyword.iskeyword(text):
            text += "_"
        return str.__new__(cls, text)


def module_for_group(group: str, version: str) -> str:
    """Module name for an API group-version outside the built-in Go packages.

    The group's first DNS label plus the version: `cert-manager.io` v1 -> `cert_manager_v1`.
    """
    label = group.split(".")[0] if group else "core"
    return f"{PythonName(label).rstrip('_')}_{version}"


def extend_module_name(group: str, version: str, depth: int) -> str:
    """A longer name for a group whose short name collides: more DNS labels, in order."""
    labels = group.split(".")[: depth + 1]
    return f"{PythonName('_'.join(labels)).rstrip('_')}_{version}"


def unique(names: list[str]) -> list[str]:
    """Make names unique in order: later duplicates get `_2`, `_3`, ... ."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}" if not name.endswith("_") else f"{name}{n}"
        seen.add(candidate)
        out.append(candidate)
    return out
