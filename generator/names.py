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
    {"self", "cls", "to_dict", "to_json", "from_dict", "from_json", "extra", "raw", "api_resource"}
    | {"str", "int", "bool", "float", "list", "dict", "datetime", "Any", "Iterable", "Mapping"}
    | {"MutableMapping", "MutableSequence", "TYPE_CHECKING", "ListModel", "Model"}
    | {"List", "TypeAlias", "Iterator", "AsyncIterator", "Optional", "Union"}
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
        if keyword.iskeyword(text) or text in RESERVED:
            text += "_"
        return str.__new__(cls, text)


# Kubernetes' own API groups and the Go packages (k8s.io/api/<package>) their users know.
KUBERNETES_PACKAGES = {
    "": "core",
    "admission.k8s.io": "admission",
    "admissionregistration.k8s.io": "admissionregistration",
    "apidiscovery.k8s.io": "apidiscovery",
    "apiextensions.k8s.io": "apiextensions",
    "apiregistration.k8s.io": "apiregistration",
    "apps": "apps",
    "authentication.k8s.io": "authentication",
    "authorization.k8s.io": "authorization",
    "autoscaling": "autoscaling",
    "batch": "batch",
    "certificates.k8s.io": "certificates",
    "coordination.k8s.io": "coordination",
    "custom.metrics.k8s.io": "custom_metrics",
    "discovery.k8s.io": "discovery",
    "events.k8s.io": "events",
    "extensions": "extensions",
    "external.metrics.k8s.io": "external_metrics",
    "flowcontrol.apiserver.k8s.io": "flowcontrol",
    "imagepolicy.k8s.io": "imagepolicy",
    "internal.apiserver.k8s.io": "apiserverinternal",
    "metrics.k8s.io": "metrics",
    "networking.k8s.io": "networking",
    "node.k8s.io": "node",
    "policy": "policy",
    "rbac.authorization.k8s.io": "rbac",
    "resource.k8s.io": "resource",
    "scheduling.k8s.io": "scheduling",
    "storage.k8s.io": "storage",
    "storagemigration.k8s.io": "storagemigration",
}
# Domain suffixes that say nothing about the group: dropped from module names.
_SUFFIXES = ("k8s.io", "x-k8s.io")


def module_for_group(group: str, version: str) -> str:
    """The module of an API group-version, from the group alone.

    Kubernetes' groups take their Go package's name (`rbac.authorization.k8s.io` v1 ->
    `rbac_v1`, "" -> `core_v1`); any other group its DNS labels, most specific first, without
    the public suffix (`cert-manager.io` -> `cert_manager_v1`, `networking.istio.io` ->
    `networking_istio_v1`, `gateway.networking.k8s.io` -> `gateway_networking_v1`), or with
    it where the short form would read like a Kubernetes package (`apps.io` -> `apps_io_v1`).
    """
    base = KUBERNETES_PACKAGES.get(group)
    if base is None:
        labels = group.split(".")
        suffix = next((s for s in _SUFFIXES if group.endswith("." + s)), None)
        short = labels[: -len(suffix.split("."))] if suffix else labels[:-1] or labels
        base = PythonName("_".join(short)).rstrip("_")
        if base in KUBERNETES_PACKAGES.values() or base in ("meta", "version", "runtime"):
            base = PythonName("_".join(labels)).rstrip("_")
    return f"{base}_{version}" if version else base


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
