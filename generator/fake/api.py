"""The HTTP side: injected faults, authentication, errors as Status bodies, and routing to
the discovery documents or to one handler per verb and subresource."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import InitVar, dataclass, field
from typing import Any

from aiohttp import web

from kubeforge.fake import (
    controllers,
    discovery,
    negotiate,
    request,
    status,
    subresources,
    verbs,
    watch,
)
from kubeforge.fake.catalog import Catalog
from kubeforge.fake.registry import Registry
from kubeforge.fake.request import Context, Request
from kubeforge.fake.store import Store

# kube-apiserver refuses request bodies above 3 MiB with 413.
BODY_LIMIT = 3 * 1024 * 1024
Handler = Callable[[Context, Request], Awaitable[web.StreamResponse]]
VERBS: dict[str, Handler] = {
    "get": verbs.get,
    "list": verbs.list_,
    "watch": watch.watch,
    "create": verbs.create,
    "update": verbs.update,
    "patch": verbs.patch,
    "delete": verbs.delete,
    "deletecollection": verbs.deletecollection,
}
# Subresources with handlers of their own; others (status) are the verbs' business.
SUBRESOURCES: dict[tuple[str, str], Handler] = {
    ("scale", "get"): subresources.get_scale,
    ("scale", "update"): subresources.update_scale,
    ("scale", "patch"): subresources.patch_scale,
    ("log", "get"): subresources.get_log,
}


@dataclass
class Fault:
    """An answer to give instead of serving matching requests, `times` times (for tests)."""

    code: int
    method: str | None = None
    path: str | None = None  # a prefix of the request path
    watch: bool | None = None  # only watch requests (True) or only others (False)
    times: int = 1
    retry_after: int | None = None
    message: str | None = None
    body: bytes | None = None  # a raw body instead of a Status (an HTML error page, ...)
    content_type: str = "text/html"

    def matches(self, method: str, path: str, query: Mapping[str, str]) -> bool:
        is_watch = query.get("watch") in ("true", "1")
        return (
            (self.method is None or method == self.method)
            and (self.path is None or path.startswith(self.path))
            and (self.watch is None or self.watch == is_watch)
        )


@dataclass
class Api:
    """Everything a request needs; lives on the server's event loop."""

    spec: InitVar[dict[str, Any]]
    registry: Registry
    store: Store
    tokens: set[str] = field(default_factory=set)
    bookmark_interval: float = 1.0
    address: str = "127.0.0.1:0"
    faults: list[Fault] = field(default_factory=list)
    catalog: Catalog = field(init=False)
    _context: Context = field(init=False)

    def __post_init__(self, spec: dict[str, Any]) -> None:
        self.catalog = Catalog(spec, self.registry)
        self._context = Context(self.catalog, self.store, self.bookmark_interval)
        controllers.start(self.store, self.catalog)

    async def handle(self, http: web.Request) -> web.StreamResponse:
        try:
            fault = self._fault(http)
            if fault is not None:
                return fault
            anonymous = self._authenticate(http)
            # Read before anything runs, so a write runs to its answer without yielding.
            body = await http.read() if http.method != "GET" else b""
            return await self._route(http, anonymous, body)
        except status.StatusError as exc:
            return negotiate.error(exc)
        except web.HTTPRequestEntityTooLarge:
            return negotiate.error(status.too_large(BODY_LIMIT))
        except Exception as exc:  # a bug here must still answer like an API server
            logging.getLogger("kubeforge.fake").exception(
                "internal error on %s %s", http.method, http.path
            )
            return negotiate.error(
                status.StatusError(
                    500, "InternalError", f"Internal error occurred: {type(exc).__name__}: {exc}"
                )
            )

    def _fault(self, http: web.Request) -> web.StreamResponse | None:
        """An answer FakeServer.inject() asked for, instead of serving the request."""
        for fault in self.faults:
            if fault.times > 0 and fault.matches(http.method, http.path, http.query):
                fault.times -= 1
                if fault.body is not None:
                    return web.Response(
                        body=fault.body, status=fault.code, content_type=fault.content_type
                    )
                response = negotiate.error(
                    status.injected(fault.code, fault.message, fault.retry_after)
                )
                if fault.retry_after is not None:
                    response.headers["Retry-After"] = str(fault.retry_after)
                return response
        return None

    def _authenticate(self, http: web.Request) -> bool:
        """True for an anonymous request (authorised later, per path); 401 for a wrong token."""
        if not self.tokens:
            return False
        header = http.headers.get("Authorization", "")
        if not header:
            transport = http.transport
            if transport is not None and transport.get_extra_info("peercert"):
                return False  # a client certificate our CA signed: the TLS layer checked it
            return http.path not in ("/version", *discovery.HEALTH)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in self.tokens:  # schemes ignore case
            raise status.unauthorized()
        return False

    async def _route(self, http: web.Request, anonymous: bool, body: bytes) -> web.StreamResponse:
        path = http.path.rstrip("/") or "/"
        segments = [s for s in path.split("/") if s]
        if not request.is_resource_path(segments):
            if anonymous:
                raise status.forbidden_anonymous(http.method.lower(), f'path "{http.path}"')
            return discovery.serve(http, path, self.catalog, self.address)
        req = request.parse(http, segments, self.catalog, body)
        rt = req.rt
        if anonymous:
            raise status.forbidden_resource(
                req.verb, rt.plural, req.subresource, rt.group, req.name, req.namespace
            )
        sub = req.subresource
        allowed = rt.subresources.get(sub, ()) if sub else rt.verbs
        if req.verb not in allowed and not (req.verb == "watch" and "list" in allowed):
            raise status.method_not_allowed()
        if rt.namespaced and req.namespace is None and req.verb not in ("list", "watch"):
            raise status.path_not_found()
        handler = SUBRESOURCES.get((sub, req.verb)) or VERBS[req.verb]
        return await handler(self._context, req)
