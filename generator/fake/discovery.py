"""The paths that are not resources: /version, health checks, /openapi/v2 and v3, and the
discovery documents (/api, /api/v1, /apis, /apis/<group>[/<version>])."""

from __future__ import annotations

import gzip

from aiohttp import web

from kubeforge.fake import negotiate, status
from kubeforge.fake.catalog import Catalog

HEALTH = ("/healthz", "/readyz", "/livez")
VERSION = {
    "major": "1",
    "minor": "36",
    "gitVersion": "v1.36.0-kubeforge",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.25",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def serve(request: web.Request, path: str, catalog: Catalog, address: str) -> web.StreamResponse:
    """The document at `path` (without a trailing slash); 404 for any other path."""
    segs = [s for s in path.split("/") if s]
    registry = catalog.registry
    if path == "/version":
        return negotiate.document(VERSION)
    if path in HEALTH:
        return negotiate.text("ok")
    if path == "/openapi/v2":
        return _openapi_v2(request, catalog)
    if path == "/openapi/v3":
        return negotiate.document(catalog.openapi_v3().index())
    if path.startswith("/openapi/v3/"):
        name = path[len("/openapi/v3/") :]
        v3 = catalog.openapi_v3()
        found = v3.documents.get(name)
        if found is None:
            raise status.path_not_found()
        headers = {"Cache-Control": "public, immutable", "Etag": '"' + v3.hashes[name] + '"'}
        return web.Response(body=found, content_type="application/json", headers=headers)
    doc = None
    if segs == ["api"]:
        doc = registry.api_versions(address)
    elif segs[:1] == ["api"] and len(segs) == 2:
        doc = registry.resource_list("", segs[1])
    elif segs == ["apis"]:
        doc = registry.api_group_list()
    elif segs[:1] == ["apis"] and len(segs) == 2:
        doc = registry.api_group(segs[1])
    elif segs[:1] == ["apis"] and len(segs) == 3:
        doc = registry.resource_list(segs[1], segs[2])
    if doc is None:
        raise status.path_not_found()
    return negotiate.document(doc)


def _openapi_v2(request: web.Request, catalog: Catalog) -> web.StreamResponse:
    """The spec as JSON, gzipped when asked, with an ETag; kubectl's protobuf request is 406."""
    if "protobuf" in request.headers.get("Accept", ""):
        raise status.StatusError(
            406, "NotAcceptable", "only application/json is served for /openapi/v2"
        )
    if request.headers.get("If-None-Match") == catalog.etag:
        return web.Response(status=304, headers={"ETag": catalog.etag})
    headers = {"ETag": catalog.etag, "Content-Type": "application/json", "Vary": "Accept-Encoding"}
    body = catalog.spec_bytes
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body, compresslevel=5)
        headers["Content-Encoding"] = "gzip"
    return web.Response(body=body, headers=headers)
