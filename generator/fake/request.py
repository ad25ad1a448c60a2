"""A resource request, parsed once from the URL, the query and the headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from aiohttp import web

from kubeforge.fake import status
from kubeforge.fake.catalog import Catalog
from kubeforge.fake.registry import ResourceType
from kubeforge.fake.store import Store


@dataclass(frozen=True)
class Request:
    """What every handler reads: `/api[s]/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>
    [/<subresource>]]`, the verb, the query (last value of each key) and the body."""

    http: web.Request  # for streamed answers and to notice a client that went away
    rt: ResourceType
    namespace: str | None  # None: all namespaces, or a cluster-scoped resource
    name: str | None
    subresource: str
    verb: str
    query: Mapping[str, str]
    content_type: str  # the media type, without parameters
    body: bytes
    dry_run: bool  # dryRun=All in the query (DeleteOptions may ask for it in the body too)

    @property
    def ns(self) -> str:
        """The namespace as the store keys it ("" for cluster-scoped objects)."""
        return self.namespace or ""

    @property
    def manager(self) -> str:
        """The field manager of a write: `fieldManager`, else the client's User-Agent name."""
        agent = self.http.headers.get("User-Agent", "unknown").split("/")[0].split(" ")[0]
        return self.query.get("fieldManager") or agent or "unknown"

    def gone(self) -> bool:
        """The client of a stream went away (its connection is closed or closing)."""
        transport = self.http.transport
        return transport is None or transport.is_closing()


@dataclass
class Context:
    """What a handler is served with besides its request."""

    catalog: Catalog
    store: Store
    bookmark_interval: float


def is_resource_path(segments: list[str]) -> bool:
    """`/api/<v>/...` or `/apis/<g>/<v>/...` beyond the group-version's discovery document."""
    return (segments[:1] == ["api"] and len(segments) > 2) or (
        segments[:1] == ["apis"] and len(segments) > 3
    )


def parse(http: web.Request, segments: list[str], catalog: Catalog, body: bytes) -> Request:
    """The request at a resource path; 404 for a resource, scope or subresource not served."""
    group, version, rest = ("", segments[1], segments[2:])
    if segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    registry = catalog.registry
    namespace: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        scoped = registry.get(group, version, rest[2])
        if scoped is not None and scoped.namespaced:
            namespace, rest = rest[1], rest[2:]
    rt = registry.get(group, version, rest[0])
    if rt is None or len(rest) > 3:
        raise status.path_not_found()
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else ""
    if sub in rt.connect:  # a stream: only an upgraded connection could be served
        raise status.bad_request("Upgrade request required")
    if sub and sub not in rt.subresources:
        raise status.path_not_found()
    query = {k: v[-1] for k, v in parse_qs(http.query_string, keep_blank_values=True).items()}
    dry = query.get("dryRun")
    if dry not in (None, "All"):
        raise status.bad_request(f"unsupported dryRun {dry!r}; only All is valid")
    return Request(
        http=http,
        rt=rt,
        namespace=namespace,
        name=name,
        subresource=sub,
        verb=_verb(http.method, name, query),
        query=query,
        content_type=http.headers.get("Content-Type", "").split(";")[0].strip(),
        body=body,
        dry_run=dry == "All",
    )


def _verb(method: str, name: str | None, query: Mapping[str, str]) -> str:
    if method == "GET":
        if name is None:
            return "watch" if query.get("watch") in ("true", "1") else "list"
        return "get"
    if method == "POST":
        return "create"
    if method == "PUT" and name is not None:
        return "update"
    if method == "PATCH" and name is not None:
        return "patch"
    if method == "DELETE":
        return "delete" if name is not None else "deletecollection"
    raise status.method_not_allowed()
