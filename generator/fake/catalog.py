"""What the server serves: the spec, its resource types and validators, grown by CRDs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from kubeforge import crd as crds
from kubeforge import crd_paths
from kubeforge.fake import crd, structural
from kubeforge.fake.openapi3 import OpenAPIv3
from kubeforge.fake.registry import Registry, ResourceType
from kubeforge.fake.validation import Validator


@dataclass
class Catalog:
    """The served spec and everything derived from it, made anew when a CRD changes it."""

    spec: dict[str, Any]
    registry: Registry
    # Custom resources are checked against their CRD version's own v3 schema and rules.
    custom: structural.CustomResources = field(default_factory=structural.CustomResources)
    validator: Validator = field(init=False)
    spec_bytes: bytes = field(init=False)
    etag: str = field(init=False)
    # The resource types each CRD (by name) added.
    _crds: dict[str, list[ResourceType]] = field(default_factory=dict)
    # The v3 schemas of custom resources, which /openapi/v3 publishes and v2 cannot hold.
    _v3_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    _openapi_v3: OpenAPIv3 | None = None

    def __post_init__(self) -> None:
        self.changed()

    def changed(self) -> None:
        """The spec grew or shrank (CRDs): documents and ETags are made anew."""
        self._openapi_v3 = None
        self.validator = Validator(self.spec.get("definitions") or {})
        self.spec_bytes = json.dumps(self.spec, separators=(",", ":"), sort_keys=True).encode()
        self.etag = '"' + hashlib.sha256(self.spec_bytes).hexdigest()[:32].upper() + '"'

    def openapi_v3(self) -> OpenAPIv3:
        if self._openapi_v3 is None:
            self._openapi_v3 = OpenAPIv3(self.spec, self._v3_schemas)
        return self._openapi_v3

    def is_custom(self, rt: ResourceType) -> bool:
        """Whether a CRD serves this resource (custom resources have no patch strategies)."""
        return any(
            (t.group, t.plural) == (rt.group, rt.plural) for ts in self._crds.values() for t in ts
        )

    def withdraw_crd(self, name: str) -> list[ResourceType]:
        """Stop serving what the CRD `name` added; returns the types it served."""
        spec = self._copy_spec()
        old_types = self._crds.pop(name, [])
        for old in old_types:
            self.registry.remove(old.group, old.plural)
            spec["definitions"].pop(old.model, None)
            self._v3_schemas.pop(old.model, None)
            spec["definitions"].pop(
                crds.definition_key(old.group, old.version, old.list_kind), None
            )
            for path in [p for p in spec["paths"] if _addresses(p, old)]:
                del spec["paths"][path]
        self.spec = spec
        return old_types

    def serve_crd(self, obj: dict[str, Any]) -> list[ResourceType]:
        """Serve a CRD's versions: types, v2 definitions, v3 schemas and paths."""
        spec = self._copy_spec()
        types = crd.resource_types(obj)
        for t in types:
            self.registry.add(t)
        spec["definitions"].update(crds.definitions(obj))
        for s in crds.served(obj):
            self._v3_schemas[s.model] = crds.schema(obj, s.version, v2=False)
        spec["paths"].update(crd_paths.paths(crds.served(obj)))
        self._crds[obj["metadata"]["name"]] = types
        self.spec = spec
        return types

    def _copy_spec(self) -> dict[str, Any]:
        """A copy to change: documents already served keep the spec they were made from."""
        return {
            **self.spec,
            "definitions": dict(self.spec.get("definitions") or {}),
            "paths": dict(self.spec.get("paths") or {}),
        }

    def list_meta(self, model: str, field_name: str) -> tuple[str, tuple[str, ...], str]:
        """How server-side apply treats a field: list type, list-map keys, the nested model."""
        prop, ref = self._property(model, field_name)
        list_type = str(prop.get("x-kubernetes-list-type", ""))
        keys = tuple(prop.get("x-kubernetes-list-map-keys") or ())
        if not list_type and prop.get("x-kubernetes-patch-merge-key"):
            list_type, keys = "map", (str(prop["x-kubernetes-patch-merge-key"]),)
        return list_type, keys, ref

    def patch_meta(self, model: str, field_name: str) -> tuple[str, str, str]:
        """How a strategic merge patch treats a field: strategy, merge key, the nested model."""
        prop, ref = self._property(model, field_name)
        return (
            str(prop.get("x-kubernetes-patch-strategy", "")),
            str(prop.get("x-kubernetes-patch-merge-key", "")),
            ref,
        )

    def _property(self, model: str, field_name: str) -> tuple[dict[str, Any], str]:
        """A field's schema in a definition, and the definition its values (or items) are."""
        schema = (self.spec.get("definitions") or {}).get(model) or {}
        prop = (schema.get("properties") or {}).get(field_name) or {}
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        ref = target.get("$ref", "") if isinstance(target, dict) else ""
        return prop, ref.rsplit("/", 1)[-1] if ref else ""


def _addresses(path: str, rt: ResourceType) -> bool:
    """Whether a REST path is one of `rt`'s (its collections, objects, subresources): other
    CRDs of the same group-version keep theirs."""
    base = f"/apis/{rt.group}/{rt.version}/"
    if not path.startswith(base):
        return False
    rest = path[len(base) :].split("/")
    if rest[:2] == ["namespaces", "{namespace}"]:
        rest = rest[2:]
    return rest[0] == rt.plural
