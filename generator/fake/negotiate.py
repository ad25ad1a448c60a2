"""Content negotiation: every request body decoded and every resource answer encoded here.

JSON and YAML bodies in, JSON out; protobuf and Table output are to plug in here, so no
handler names a media type. The store keeps the JSON encodings it can reuse (an object while
it is current, an event per API version): other formats will need caches of their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import yaml
from aiohttp import web

from kubeforge.fake import status
from kubeforge.fake.registry import ResourceType
from kubeforge.fake.request import Request
from kubeforge.fake.store import Event, Obj, Store, encode

_OBJECT_TYPES = ("application/json", "application/yaml", "")
_PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
# What kube-apiserver lists as accepted when it refuses a strategic merge patch of a
# custom resource.
CUSTOM_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
)


# ------------------------------------------------------------ request bodies


def decode_object(req: Request, optional: bool = False) -> Obj:
    """The body as an object (an object to write, DeleteOptions); `optional`: {} when empty."""
    if req.content_type not in _OBJECT_TYPES:
        raise status.unsupported_media_type(req.content_type)
    if not req.body and optional:
        return {}
    try:
        value = (
            yaml.safe_load(req.body)
            if req.content_type == "application/yaml"
            else json.loads(req.body)
        )
    except (ValueError, yaml.YAMLError) as exc:
        raise status.bad_request(f"the body of the request could not be decoded: {exc}") from None
    if not isinstance(value, dict):
        raise status.bad_request("the body of the request must be a JSON object")
    return value


def patch_flavour(req: Request) -> str:
    """json, merge, strategic or apply, from the Content-Type; 415 for anything else."""
    flavour = _PATCH_TYPES.get(req.content_type)
    if flavour is None:
        raise status.unsupported_media_type(req.content_type)
    return flavour


def decode_patch(req: Request, flavour: str) -> Any:
    """The patch document (an apply configuration is YAML, of which JSON is a subset)."""
    try:
        return yaml.safe_load(req.body) if flavour == "apply" else json.loads(req.body or b"null")
    except (ValueError, yaml.YAMLError) as exc:
        raise status.bad_request(f"error decoding patch: {exc}") from None


# ------------------------------------------------------------ answers


def document(body: Any, code: int = 200) -> web.Response:
    """A JSON document that is no resource: discovery, a Status, the OpenAPI v3 index."""
    return web.Response(body=encode(body), status=code, content_type="application/json")


def error(exc: status.StatusError) -> web.Response:
    return document(exc.body(), exc.code)


def versioned(rt: ResourceType, obj: Obj) -> Obj:
    """The object as the request's API version names it (stored objects keep their own)."""
    if obj.get("apiVersion") == rt.api_version:
        return obj
    return {**obj, "apiVersion": rt.api_version}


def resource(
    rt: ResourceType, obj: Obj, code: int = 200, warnings: Iterable[str] = ()
) -> web.Response:
    """One object (or a Scale, a Status) with the admission warnings as Warning headers."""
    if obj.get("kind") == rt.kind:
        obj = versioned(rt, obj)
    response = document(obj, code)
    for warning in warnings:
        response.headers.add("Warning", '299 - "' + warning.replace('"', '\\"') + '"')
    return response


def listing(rt: ResourceType, store: Store, items: list[Obj], meta: dict[str, Any]) -> web.Response:
    """A list of `items`, encoding each stored object once while it is current."""
    head = encode({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})
    page = b",".join(
        (store.encoded(o) if o.get("apiVersion") == rt.api_version else encode(versioned(rt, o)))
        for o in items
    )
    return web.Response(
        body=head[:-1] + b',"items":[' + page + b"]}", content_type="application/json"
    )


def success() -> web.Response:
    return document({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"})


def text(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/plain")


async def stream(req: Request, content_type: str) -> web.StreamResponse:
    """A chunked answer, its headers sent (a watch, a followed log)."""
    response = web.StreamResponse(
        headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"}
    )
    await response.prepare(req.http)
    return response


def watch_event(rt: ResourceType, event: Event) -> bytes:
    """A stored event as one line of a watch stream (encoded once per API version)."""
    return event.line(rt.api_version)


def watch_line(kind: str, obj: Any) -> bytes:
    """One watch event of our own making (a synthetic ADDED or DELETED, a BOOKMARK, ERROR)."""
    return encode({"type": kind, "object": obj}) + b"\n"
