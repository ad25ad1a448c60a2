"""A CustomResourceDefinition's REST operations, as kube-apiserver publishes them in /openapi/v2.

Shared by the fake server (what it serves) and `kubeforge generate --crd` (what it generates
clients from), so both see the same paths.
"""

from __future__ import annotations

from typing import Any

from kubeforge.crd import META, Served

Json = dict[str, Any]


def _op(action: str, rt: Served, what: str, response: str = "", body: bool = False) -> Json:
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
        op["responses"] = {"200": {"description": "OK", "schema": {"$ref": META + "Status"}}}
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
                    "schema": {"$ref": META + "Patch"},
                }
            ]
            op["consumes"] = [
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/apply-patch+yaml",
            ]
    return op


def paths(served: list[Served]) -> dict[str, Json]:
    """The REST paths of the served versions, with their actions, as the real server publishes."""
    out: dict[str, Json] = {}
    for rt in served:
        base = f"/apis/{rt.group}/{rt.version}"
        collection = (
            f"{base}/namespaces/{{namespace}}/{rt.plural}"
            if rt.namespaced
            else f"{base}/{rt.plural}"
        )
        list_model = rt.list_model
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
