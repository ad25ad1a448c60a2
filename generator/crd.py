"""CustomResourceDefinitions as kube-apiserver publishes them: served versions and v2 definitions.

One converter for the fake server (what it serves once a CRD is created) and for
`kubeforge generate --crd` (what it generates from manifests), so a package generated from
manifests and one generated from a live server with the same CRDs have the same models.
A version's `openAPIV3Schema` becomes the definition `<reversed group>.<version>.<Kind>`
(and `...List`) with `x-kubernetes-group-version-kind`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]
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
            )
        )
    return out


def _schema(value: Any) -> Any:
    """An openAPIV3Schema node as a v2 schema: v3-only keywords go, extensions stay."""
    if isinstance(value, dict):
        return {
            k: _schema(v)
            for k, v in value.items()
            if k not in ("nullable", "x-kubernetes-validations")
        }
    if isinstance(value, list):
        return [_schema(v) for v in value]
    return value


def definitions(crd: Json, all_versions: bool = False) -> dict[str, Json]:
    """The v2 definitions of every served version: the object and its list."""
    out: dict[str, Json] = {}
    versions = {v["name"]: v for v in (crd.get("spec") or {}).get("versions") or ()}
    for rt in served(crd, all_versions):
        version = versions[rt.version]
        schema = _schema(
            copy.deepcopy(
                (version.get("schema") or {}).get("openAPIV3Schema") or {"type": "object"}
            )
        )
        schema.setdefault("type", "object")
        props = schema.setdefault("properties", {})
        props["apiVersion"] = {
            "type": "string",
            "description": "APIVersion defines the versioned schema of this representation of an object.",
        }
        props["kind"] = {
            "type": "string",
            "description": "Kind is a string value representing the REST resource this object represents.",
        }
        props["metadata"] = {
            "$ref": META + "ObjectMeta",
            "description": "Standard object's metadata.",
        }
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        schema["x-kubernetes-group-version-kind"] = [gvk]
        out[rt.model] = schema
        out[rt.list_model] = {
            "description": f"{rt.list_kind} is a list of {rt.kind}",
            "type": "object",
            "required": ["items"],
            "properties": {
                "apiVersion": props["apiVersion"],
                "items": {
                    "type": "array",
                    "items": {"$ref": f"#/definitions/{rt.model}"},
                    "description": f"List of {rt.plural}.",
                },
                "kind": props["kind"],
                "metadata": {"$ref": META + "ListMeta", "description": "Standard list metadata."},
            },
            "x-kubernetes-group-version-kind": [{**gvk, "kind": rt.list_kind}],
        }
    return out
