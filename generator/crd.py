"""CustomResourceDefinitions as kube-apiserver publishes them: served versions and v2 definitions.

One converter for the fake server (what it serves once a CRD is created) and for
`kubeforge generate --crd` (what it generates from manifests), so a package generated from
manifests and one generated from a live server with the same CRDs have the same models.
A version's `openAPIV3Schema` becomes the definition `<reversed group>.<version>.<Kind>`
(and `...List`) with `x-kubernetes-group-version-kind`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]
VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
SUBRESOURCE_VERBS = ("get", "patch", "update")
SCALE_KIND = ("autoscaling", "v1", "Scale")
META = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1."


def definition_key(group: str, version: str, kind: str) -> str:
    """`stable.example.com`, v1, CronTab -> `com.example.stable.v1.CronTab`."""
    return ".".join([*reversed(group.split(".")), version, kind])


@dataclass(frozen=True)
class Served:
    """One served version of a CRD: what discovery and the REST paths say about it."""

    group: str
    version: str
    kind: str
    list_kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    subresources: tuple[str, ...]  # "status", "scale"
    storage: bool
    # The scale subresource's specReplicasPath, statusReplicasPath and labelSelectorPath.
    scale: tuple[str, str, str] = ("", "", "")

    @property
    def model(self) -> str:
        return definition_key(self.group, self.version, self.kind)

    @property
    def list_model(self) -> str:
        return definition_key(self.group, self.version, self.list_kind)


def served(crd: Json, all_versions: bool = False) -> list[Served]:
    """The versions a server serves (every version with `all_versions`), in manifest order."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    out = []
    for version in spec.get("versions") or ():
        if not (version.get("served", True) or all_versions):
            continue
        subresources = version.get("subresources") or {}
        out.append(
            Served(
                group=spec["group"],
                version=version["name"],
                kind=names["kind"],
                list_kind=names.get("listKind") or names["kind"] + "List",
                plural=names["plural"],
                singular=names.get("singular") or names["kind"].lower(),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=tuple(s for s in ("status", "scale") if s in subresources),
                storage=bool(version.get("storage")),
                scale=_scale_paths(subresources.get("scale")),
            )
        )
    return out


def _scale_paths(scale: Any) -> tuple[str, str, str]:
    if not isinstance(scale, dict):
        return ("", "", "")
    return (
        str(scale.get("specReplicasPath") or ""),
        str(scale.get("statusReplicasPath") or ""),
        str(scale.get("labelSelectorPath") or ""),
    )


# What a structural schema node may hold (apiextensions' `Structural`): anything else in a
# manifest is dropped on the way to /openapi, as kube-apiserver drops it.
_GENERIC = ("type", "nullable", "description", "title", "default", "externalDocs")
_VALUE = (
    "format",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "enum",
    "maxProperties",
    "minProperties",
    "required",
)
_EXTENSIONS = (
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
)
_JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
_INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]

# TypeMeta and metadata as every kind publishes them (the Kubernetes API's own descriptions).
_API_VERSION = {
    "description": "APIVersion defines the versioned schema of this representation of an object."
    " Servers should convert recognized schemas to the latest internal value, and may reject"
    " unrecognized values. More info:"
    " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
    "type": "string",
}
_KIND = {
    "description": "Kind is a string value representing the REST resource this object represents."
    " Servers may infer this from the endpoint the client submits requests to. Cannot be updated."
    " In CamelCase. More info:"
    " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
    "type": "string",
}
_CONVENTIONS = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
_OBJECT_META = {
    "$ref": META + "ObjectMeta",
    "description": f"Standard object's metadata. More info: {_CONVENTIONS}#metadata",
}
_LIST_META = {
    "$ref": META + "ListMeta",
    "description": f"Standard list metadata. More info: {_CONVENTIONS}#types-kinds",
}
_EMBEDDED_API_VERSION = {
    "description": "apiVersion defines the versioned schema of this representation of an object."
    f" More info: {_CONVENTIONS}#resources",
    "type": "string",
}
_EMBEDDED_KIND = {
    "description": "kind is a string value representing the type of this object. In CamelCase."
    f" More info: {_CONVENTIONS}#types-kinds",
    "type": "string",
}


def _structural(node: Any) -> Json:
    """A schema node as a structural schema keeps it, with int-or-string unfolded to its anyOf."""
    if not isinstance(node, dict):
        return {}
    out: Json = {k: node[k] for k in (*_GENERIC, *_VALUE, *_EXTENSIONS) if k in node}
    if isinstance(node.get("properties"), dict):
        out["properties"] = {k: _structural(v) for k, v in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        out["items"] = _structural(node["items"])
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _structural(extra)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    for junctor in _JUNCTORS:
        if junctor in node:
            out[junctor] = copy.deepcopy(node[junctor])
    if out.get("x-kubernetes-int-or-string") and not _int_or_string_pattern(out):
        if "anyOf" not in out:
            out["anyOf"] = copy.deepcopy(_INT_OR_STRING)
        else:
            out["allOf"] = [{"anyOf": copy.deepcopy(_INT_OR_STRING)}, *out.get("allOf", [])]
    return out


def _int_or_string_pattern(node: Json) -> bool:
    """Already spelled out: `anyOf: [{type: integer}, {type: string}]`, directly or first in allOf."""
    first = (node.get("allOf") or [{}])[0]
    return any(
        isinstance(n, dict)
        and isinstance(n.get("anyOf"), list)
        and [a.get("type") if isinstance(a, dict) else None for a in n["anyOf"][:2]]
        == ["integer", "string"]
        for n in (node, first)
    )


def _v2(node: Json) -> Json:
    """A structural node as kube-apiserver publishes it in /openapi/v2: v2 has no junctors and no
    `nullable`, and kubectl's v2 validation must not meet typed nodes that accept more."""
    for junctor in _JUNCTORS:
        node.pop(junctor, None)
    props = node.get("properties")
    if isinstance(props, dict) and isinstance(node.get("required"), list):
        nullable = {k for k, v in props.items() if v.get("nullable")}
        required = [r for r in node["required"] if r not in nullable]
        if required:
            node["required"] = required
        else:
            del node["required"]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and extra.get("nullable"):
        node.pop("required", None)
    if node.pop("nullable", False):
        node.pop("type", None)
        node.pop("items", None)
        node.pop("properties", None)
    if node.get("x-kubernetes-preserve-unknown-fields"):
        node.pop("items", None)
        node.pop("properties", None)
        if node.get("type") == "object":
            del node["type"]
    if node.get("type") == "array" and "items" not in node:
        del node["type"]
    node.pop("default", None)  # the served v2 document has its defaults pruned
    for child in (node.get("properties") or {}).values():
        _v2(child)
    if isinstance(node.get("items"), dict):
        _v2(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        _v2(node["additionalProperties"])
    return node


def _embedded(node: Json, v2: bool) -> None:
    """Embedded resources get apiVersion, kind and metadata, as every object does."""
    for child in (node.get("properties") or {}).values():
        _embedded(child, v2)
    if isinstance(node.get("items"), dict):
        _embedded(node["items"], v2)
    if isinstance(node.get("additionalProperties"), dict):
        _embedded(node["additionalProperties"], v2)
    if v2 and node.get("x-kubernetes-preserve-unknown-fields"):
        return
    if node.get("x-kubernetes-embedded-resource"):
        props = node.setdefault("properties", {})
        props["apiVersion"] = dict(_EMBEDDED_API_VERSION)
        props["kind"] = dict(_EMBEDDED_KIND)
        props["metadata"] = dict(_OBJECT_META)
        required = node.setdefault("required", [])
        for name in ("kind", "apiVersion"):
            if name not in required:
                required.append(name)


def schema(crd: Json, version: str, v2: bool = True) -> Json:
    """The published schema of one version's kind: /openapi/v2's (`v2`) or /openapi/v3's."""
    versions = {v.get("name"): v for v in (crd.get("spec") or {}).get("versions") or ()}
    found = ((versions.get(version) or {}).get("schema") or {}).get("openAPIV3Schema")
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    gvk = [{"group": spec.get("group"), "version": version, "kind": names.get("kind")}]
    if not isinstance(found, dict) or (v2 and found.get("x-kubernetes-preserve-unknown-fields")):
        # kubectl would take listed properties as the only ones allowed: none are listed.
        return {"type": "object", "x-kubernetes-group-version-kind": gvk}
    out = _structural(found)
    if v2:
        _v2(out)
    props = out.setdefault("properties", {})
    props["metadata"] = dict(_OBJECT_META)
    props["apiVersion"] = dict(_API_VERSION)
    props["kind"] = dict(_KIND)
    _embedded(out, v2)
    out["x-kubernetes-group-version-kind"] = gvk
    return out


def list_schema(rt: Served) -> Json:
    """The list kind, as kube-apiserver builds it for every served version."""
    return {
        "description": f"{rt.list_kind} is a list of {rt.kind}",
        "required": ["items"],
        "properties": {
            "apiVersion": dict(_API_VERSION),
            "items": {
                "description": f"List of {rt.plural}. More info: {_CONVENTIONS}",
                "items": {"$ref": f"#/definitions/{rt.model}"},
                "type": "array",
            },
            "kind": dict(_KIND),
            "metadata": dict(_LIST_META),
        },
        "x-kubernetes-group-version-kind": [
            {"group": rt.group, "version": rt.version, "kind": rt.list_kind}
        ],
    }


def definitions(crd: Json, all_versions: bool = False) -> dict[str, Json]:
    """The /openapi/v2 definitions of every served version: the object and its list."""
    out: dict[str, Json] = {}
    for rt in served(crd, all_versions):
        out[rt.model] = schema(crd, rt.version)
        out[rt.list_model] = list_schema(rt)
    return out


_TYPES = ("array", "boolean", "integer", "number", "object", "string")


def _node_problems(node: Any, path: str, out: list[tuple[str, str]]) -> None:
    """What keeps a node from being a structural schema kube-apiserver accepts."""
    if not isinstance(node, dict):
        out.append((path, f"must be a schema object, not {type(node).__name__}"))
        return
    kind = node.get("type")
    if "type" in node and kind not in _TYPES:
        out.append((f"{path}.type", f"{kind!r} is not a type (one of {', '.join(_TYPES)})"))
    free = node.get("x-kubernetes-int-or-string") or node.get(
        "x-kubernetes-preserve-unknown-fields"
    )
    if "type" not in node and not free:
        out.append((f"{path}.type", "must not be empty for specified object fields"))
    props = node.get("properties")
    if props is not None and not isinstance(props, dict):
        out.append((f"{path}.properties", "must be a map of property names to schemas"))
        props = None
    if "items" in node and not isinstance(node["items"], dict):
        out.append((f"{path}.items", "must be one schema (a list of schemas is not structural)"))
    elif kind == "array" and "items" not in node:
        out.append((f"{path}.items", "must be specified for arrays"))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and props:
        out.append(
            (f"{path}.additionalProperties", "properties and additionalProperties are exclusive")
        )
    required = node.get("required")
    if required is not None and not (
        isinstance(required, list) and all(isinstance(r, str) for r in required)
    ):
        out.append((f"{path}.required", "must be a list of property names"))
    for key in ("$ref", "definitions", "dependencies", "patternProperties", "additionalItems"):
        if key in node:
            out.append((f"{path}.{key}", "is forbidden in CustomResourceDefinition schemas"))
    list_type = node.get("x-kubernetes-list-type")
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        out.append(
            (f"{path}.x-kubernetes-list-type", f"{list_type!r} is not one of atomic, set, map")
        )
    if list_type == "map" and not node.get("x-kubernetes-list-map-keys"):
        out.append((f"{path}.x-kubernetes-list-map-keys", "must not be empty if list-type is map"))
    for name, child in (props or {}).items():
        _node_problems(child, f"{path}.properties[{name}]", out)
    if isinstance(node.get("items"), dict):
        _node_problems(node["items"], f"{path}.items", out)
    if isinstance(extra, dict):
        _node_problems(extra, f"{path}.additionalProperties", out)


def problems(crd: Json) -> list[tuple[str, str]]:
    """(field path, what is wrong) for every reason kube-apiserver would refuse this CRD's shape
    or schemas; empty for a CRD it accepts. Paths read as the server's (`spec.versions[0]...`)."""
    out: list[tuple[str, str]] = []
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return [("spec", "Required value")]
    names = spec.get("names")
    for field, value in (
        ("spec.group", spec.get("group")),
        ("spec.names.kind", (names or {}).get("kind") if isinstance(names, dict) else None),
        ("spec.names.plural", (names or {}).get("plural") if isinstance(names, dict) else None),
    ):
        if not isinstance(value, str) or not value:
            out.append((field, "Required value"))
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        out.append(("spec.versions", "must have exactly one version marked as storage version"))
        return out
    for i, version in enumerate(versions):
        where = f"spec.versions[{i}]"
        if not isinstance(version, dict) or not isinstance(version.get("name"), str):
            out.append((f"{where}.name", "Required value"))
            continue
        found = (version.get("schema") or {}).get("openAPIV3Schema")
        if found is None:
            out.append((f"{where}.schema.openAPIV3Schema", "Required value: schemas are required"))
            continue
        _node_problems(found, f"{where}.schema.openAPIV3Schema", out)
    return out


def api_resources(
    group: str,
    version: str,
    plural: str,
    singular: str,
    kind: str,
    namespaced: bool,
    verbs: Sequence[str],
    short_names: Sequence[str],
    categories: Sequence[str],
    subresources: Mapping[str, Sequence[str]],
    subresource_kinds: Mapping[str, tuple[str, str, str]],
) -> list[Json]:
    """A resource's entries in its APIResourceList: itself, then its subresources by name.
    Shared by the fake server's discovery and `--crd`'s, so both list the same."""
    entry: Json = {
        "name": plural,
        "singularName": singular,
        "namespaced": namespaced,
        "kind": kind,
        "verbs": list(verbs),
    }
    if short_names:
        entry["shortNames"] = list(short_names)
    if categories:
        entry["categories"] = list(categories)
    out = [entry]
    for sub, sub_verbs in sorted(subresources.items()):
        sub_entry: Json = {
            "name": f"{plural}/{sub}",
            "singularName": "",
            "namespaced": namespaced,
            "kind": kind,
            "verbs": list(sub_verbs),
        }
        if sub in subresource_kinds:
            sub_group, sub_version, sub_entry["kind"] = subresource_kinds[sub]
            if (sub_group, sub_version) != (group, version):
                sub_entry["group"], sub_entry["version"] = sub_group, sub_version
        out.append(sub_entry)
    return out


def subresource_verbs(rt: Served) -> dict[str, tuple[str, ...]]:
    """A CRD's status and scale subresources are read, patched and replaced."""
    return {sub: SUBRESOURCE_VERBS for sub in rt.subresources}


def subresource_kinds(rt: Served) -> dict[str, tuple[str, str, str]]:
    """The scale subresource answers with autoscaling/v1 Scale, not the custom kind."""
    return {"scale": SCALE_KIND} if "scale" in rt.subresources else {}


def discovery(versions: list[Served]) -> dict[str, Json]:
    """The APIResourceList of each group-version, as the server lists custom resources."""
    out: dict[str, Json] = {}
    for rt in sorted(versions, key=lambda r: r.plural):
        gv = f"{rt.group}/{rt.version}"
        doc = out.setdefault(
            gv, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": []}
        )
        doc["resources"] += api_resources(
            rt.group,
            rt.version,
            rt.plural,
            rt.singular,
            rt.kind,
            rt.namespaced,
            VERBS,
            rt.short_names,
            rt.categories,
            subresource_verbs(rt),
            subresource_kinds(rt),
        )
    return out
