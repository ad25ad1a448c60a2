"""CustomResourceDefinitions, served as the real server serves them.

A CRD's served versions become resource types (discovery, REST), its `openAPIV3Schema`
becomes `/openapi/v2` definitions (`<reversed group>.<version>.<Kind>` and `...List`, with
`x-kubernetes-group-version-kind`) and its REST paths join the spec, so a client generated
from the server knows the new kinds. Deleting the CRD removes all of it.
"""

from __future__ import annotations

import copy
from typing import Any

from kubeforge.fake.registry import ResourceType

Json = dict[str, Any]
_META = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1."
_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


def _key(group: str, version: str, kind: str) -> str:
    return ".".join([*reversed(group.split(".")), version, kind])


def list_key(rt: ResourceType) -> str:
    """The definition name of a custom resource's list kind."""
    return _key(rt.group, rt.version, rt.list_kind)


_SCALE = ("autoscaling", "v1", "Scale")


def resource_types(crd: Json) -> list[ResourceType]:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    out = []
    for version in spec.get("versions") or ():
        if not version.get("served", True):
            continue
        subresources = version.get("subresources") or {}
        subs: dict[str, tuple[str, ...]] = {}
        if "status" in subresources:
            subs["status"] = ("get", "patch", "update")
        if "scale" in subresources:
            subs["scale"] = ("get", "patch", "update")
        out.append(
            ResourceType(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                singular=names.get("singular") or names["kind"].lower(),
                kind=names["kind"],
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                verbs=_VERBS,
                list_kind=names.get("listKind") or names["kind"] + "List",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=subs,
                model=_key(spec["group"], version["name"], names["kind"]),
                subresource_kinds={"scale": _SCALE} if "scale" in subs else {},
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


def definitions(crd: Json) -> dict[str, Json]:
    """The v2 definitions of every served version: the object and its list."""
    out: dict[str, Json] = {}
    for rt in resource_types(crd):
        version = next(v for v in crd["spec"]["versions"] if v["name"] == rt.version)
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
            "$ref": _META + "ObjectMeta",
            "description": "Standard object's metadata.",
        }
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        schema["x-kubernetes-group-version-kind"] = [gvk]
        out[rt.model] = schema
        out[list_key(rt)] = {
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
                "metadata": {"$ref": _META + "ListMeta", "description": "Standard list metadata."},
            },
            "x-kubernetes-group-version-kind": [{**gvk, "kind": rt.list_kind}],
        }
    return out


def _op(action: str, rt: ResourceType, what: str, response: str = "", body: bool = False) -> Json:
    op: Json = {
        "operationId": f"{action}{rt.kind}{what}",
        "description": f"{action} {rt.kind}",
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {
            "group": rt.group,
            "version": rt.version,
            "kind": rt.kind,
        },
        "responses": {
            "200": {"description": "OK", "schema": {"$ref": f"#/definitions/{response}"}}
        },
        "tags": [rt.group],
    }
    if not response:
        op["responses"] = {"200": {"description": "OK", "schema": {"$ref": _META + "Status"}}}
    if body:
        op["parameters"] = [
            {
                "in": "body",
                "name": "body",
                "required": True,
                "schema": {"$ref": f"#/definitions/{rt.model}"},
            }
        ]
        if action == "patch":
            op["parameters"] = [
                {
                    "in": "body",
                    "name": "body",
                    "required": True,
                    "schema": {"$ref": _META + "Patch"},
                }
            ]
            op["consumes"] = [
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/apply-patch+yaml",
            ]
    return op


def paths(crd: Json) -> dict[str, Json]:
    """The REST paths of every served version, with their actions, as the real server publishes."""
    out: dict[str, Json] = {}
    for rt in resource_types(crd):
        base = f"/apis/{rt.group}/{rt.version}"
        collection = (
            f"{base}/namespaces/{{namespace}}/{rt.plural}"
            if rt.namespaced
            else f"{base}/{rt.plural}"
        )
        list_model = list_key(rt)
        out[collection] = {
            "get": _op("list", rt, "List", list_model),
            "post": _op("post", rt, "", rt.model, body=True),
            "delete": _op("deletecollection", rt, "Collection"),
        }
        out[f"{collection}/{{name}}"] = {
            "get": _op("get", rt, "", rt.model),
            "put": _op("put", rt, "", rt.model, body=True),
            "patch": _op("patch", rt, "", rt.model, body=True),
            "delete": _op("delete", rt, ""),
        }
        if rt.namespaced:
            out[f"{base}/{rt.plural}"] = {"get": _op("list", rt, "AllNamespaces", list_model)}
        for sub in rt.subresources:
            model = rt.model if sub == "status" else "io.k8s.api.autoscaling.v1.Scale"
            item = {
                "get": _op("get", rt, sub.title(), model),
                "put": _op("put", rt, sub.title(), model, body=True),
                "patch": _op("patch", rt, sub.title(), model, body=True),
            }
            if sub == "scale":
                for op in item.values():
                    if "parameters" in op and op["x-kubernetes-action"] == "put":
                        op["parameters"][0]["schema"] = {"$ref": f"#/definitions/{model}"}
            out[f"{collection}/{{name}}/{sub}"] = item
    return out


def status(crd: Json, now: str) -> Json:
    """What the real server reports once a CRD's names are accepted and it is served."""
    spec = crd.get("spec") or {}
    storage = [v["name"] for v in spec.get("versions") or () if v.get("storage")]
    conditions = [
        {
            "type": t,
            "status": "True",
            "reason": reason,
            "message": message,
            "lastTransitionTime": now,
        }
        for t, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    return {
        "acceptedNames": spec.get("names") or {},
        "conditions": conditions,
        "storedVersions": storage,
    }
