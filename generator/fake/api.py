"""The HTTP side: routing, auth, content negotiation, and one generic handler for every resource."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import gzip
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import yaml
from aiohttp import web

from kubeforge import crd as crds
from kubeforge import crd_paths
from kubeforge.fake import apply as ssa
from kubeforge.fake import crd, status, structural
from kubeforge.fake import patch as patches
from kubeforge.fake.openapi3 import OpenAPIv3
from kubeforge.fake.registry import Registry, ResourceType
from kubeforge.fake.selectors import field_selector, label_selector
from kubeforge.fake.store import Event, Obj, Store, encode, now
from kubeforge.fake.validation import Validator

OPEN_PATHS = ("/version", "/healthz", "/readyz", "/livez")
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
_JSON_TYPES = ("application/json", "application/yaml", "")
# kube-apiserver refuses request bodies above 3 MiB with 413.
BODY_LIMIT = 3 * 1024 * 1024
_PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
_CUSTOM_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
)


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
    """Everything a request handler needs; lives on the server's event loop."""

    spec: dict[str, Any]
    registry: Registry
    store: Store
    tokens: set[str] = field(default_factory=set)
    bookmark_interval: float = 1.0
    address: str = "127.0.0.1:0"
    _spec_bytes: bytes = b""
    _etag: str = ""
    _openapi_v3: OpenAPIv3 | None = None
    validator: Validator = field(init=False)

    _crds: dict[str, list[ResourceType]] = field(default_factory=dict)
    # The v3 schemas of custom resources, which /openapi/v3 publishes and v2 cannot hold.
    _v3_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    # Custom resources are checked against their CRD version's own v3 schema and rules.
    custom: structural.CustomResources = field(default_factory=structural.CustomResources)

    def __post_init__(self) -> None:
        self.spec_changed()
        self.store.on_change = self._on_change

    def _on_change(self, rt: ResourceType, kind: str, obj: Obj) -> None:
        """CustomResourceDefinitions change what is served: types, definitions and paths."""
        if (rt.group, rt.plural) != ("apiextensions.k8s.io", "customresourcedefinitions"):
            return
        name = obj["metadata"]["name"]
        spec = {
            **self.spec,
            "definitions": dict(self.spec.get("definitions") or {}),
            "paths": dict(self.spec.get("paths") or {}),
        }
        for old in self._crds.pop(name, []):
            self.registry.remove(old.group, old.plural)
            spec["definitions"].pop(old.model, None)
            self._v3_schemas.pop(old.model, None)
            spec["definitions"].pop(
                crds.definition_key(old.group, old.version, old.list_kind), None
            )
            for path in [p for p in spec["paths"] if _addresses(p, old)]:
                del spec["paths"][path]
            if kind == "DELETED":
                self.store.drop(old)
        if kind != "DELETED":
            types = crd.resource_types(obj)
            for t in types:
                self.registry.add(t)
            spec["definitions"].update(crds.definitions(obj))
            for s in crds.served(obj):
                self._v3_schemas[s.model] = crds.schema(obj, s.version, v2=False)
            spec["paths"].update(crd_paths.paths(crds.served(obj)))
            self._crds[name] = types
            if self.custom.update(obj) and kind == "MODIFIED":
                self._coerce_stored(types)
        else:
            self.custom.update(obj, deleted=True)
        self.spec = spec
        self.spec_changed()
        if kind == "ADDED":
            self.store.update(rt, "", name, {**obj, "status": crd.status(obj, now())}, "status")

    def _coerce_stored(self, types: list[ResourceType]) -> None:
        """A CRD's schemas changed: stored objects read as the new schema decodes them
        (pruned, defaulted), as the real server's storage made anew for the CRD reads them;
        their resourceVersion stays."""
        for rt in {(t.group, t.plural): t for t in types}.values():
            objects = self.store.objects.get((rt.group, rt.plural), {})
            for key, obj in objects.items():
                version = obj.get("apiVersion", "").rpartition("/")[2]
                schema = self.custom.get(rt.group, rt.plural, version)
                if schema is not None:
                    objects[key] = schema.coerce(copy.deepcopy(obj), [])

    def spec_changed(self) -> None:
        """The spec grew or shrank (CRDs): documents and ETags are made anew."""
        self._openapi_v3 = None
        self.validator = Validator(self.spec.get("definitions") or {})
        self._spec_bytes = json.dumps(self.spec, separators=(",", ":"), sort_keys=True).encode()
        self._etag = '"' + hashlib.sha256(self._spec_bytes).hexdigest()[:32].upper() + '"'

    def _v3(self) -> OpenAPIv3:
        if self._openapi_v3 is None:
            self._openapi_v3 = OpenAPIv3(self.spec, self._v3_schemas)
        return self._openapi_v3

    # ------------------------------------------------------------ entry

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            fault = self._fault(request)
            if fault is not None:
                return fault
            anonymous = self._authenticate(request)
            dry = request.query.get("dryRun")
            if dry not in (None, "All"):
                raise status.bad_request(f"unsupported dryRun {dry!r}; only All is valid")
            if request.method != "GET":
                # With the body read now, a write runs to its answer without yielding the loop,
                # so the store's dry-run flag cannot leak into another request.
                body = await request.read()
                self.store.dry_run = dry == "All" or (
                    request.method == "DELETE" and _delete_options_dry_run(body)
                )
            try:
                return await self._route(request, anonymous)
            finally:
                self.store.dry_run = False
        except status.StatusError as exc:
            return _json(exc.body(), exc.code)
        except web.HTTPRequestEntityTooLarge:
            error = status.too_large(BODY_LIMIT)
            return _json(error.body(), error.code)
        except Exception as exc:  # a bug here must still answer like an API server
            logging.getLogger("kubeforge.fake").exception(
                "internal error on %s %s", request.method, request.path
            )
            error = status.StatusError(
                500, "InternalError", f"Internal error occurred: {type(exc).__name__}: {exc}"
            )
            return _json(error.body(), 500)

    def _fault(self, request: web.Request) -> web.StreamResponse | None:
        """An answer FakeServer.inject() asked for, instead of serving the request."""
        for fault in self.faults:
            if fault.times > 0 and fault.matches(request.method, request.path, request.query):
                fault.times -= 1
                if fault.body is not None:
                    return web.Response(
                        body=fault.body, status=fault.code, content_type=fault.content_type
                    )
                error = status.injected(fault.code, fault.message, fault.retry_after)
                response = _json(error.body(), error.code)
                if fault.retry_after is not None:
                    response.headers["Retry-After"] = str(fault.retry_after)
                return response
        return None

    def _authenticate(self, request: web.Request) -> bool:
        """True for an anonymous request (authorised later, per path); 401 for a wrong token."""
        if not self.tokens:
            return False
        header = request.headers.get("Authorization", "")
        if not header:
            transport = request.transport
            if transport is not None and transport.get_extra_info("peercert"):
                return False  # a client certificate our CA signed: the TLS layer checked it
            return request.path not in OPEN_PATHS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in self.tokens:  # schemes ignore case
            raise status.unauthorized()
        return False

    async def _route(self, request: web.Request, anonymous: bool) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        segs = [s for s in path.split("/") if s]
        is_resource = (segs[:1] == ["api"] and len(segs) > 2) or (
            segs[:1] == ["apis"] and len(segs) > 3
        )
        if anonymous and not is_resource:
            raise status.forbidden_anonymous(request.method.lower(), f'path "{request.path}"')
        if path == "/version":
            return _json(VERSION)
        if path in ("/healthz", "/readyz", "/livez"):
            return web.Response(text="ok", content_type="text/plain")
        if path == "/openapi/v2":
            return self._openapi(request)
        if path == "/openapi/v3":
            return _json(self._v3().index())
        if path.startswith("/openapi/v3/"):
            document = self._v3().documents.get(path[len("/openapi/v3/") :])
            if document is None:
                raise status.path_not_found()
            headers = {
                "Cache-Control": "public, immutable",
                "Etag": '"' + self._v3().hashes[path[12:]] + '"',
            }
            return web.Response(body=document, content_type="application/json", headers=headers)
        if segs[:1] == ["api"]:
            if len(segs) == 1:
                return _json(self.registry.api_versions(self.address))
            return await self._resources(request, "", segs[1], segs[2:], anonymous)
        if segs[:1] == ["apis"]:
            if len(segs) == 1:
                return _json(self.registry.api_group_list())
            if len(segs) == 2:
                group = self.registry.api_group(segs[1])
                if group is None:
                    raise status.path_not_found()
                return _json(group)
            return await self._resources(request, segs[1], segs[2], segs[3:], anonymous)
        raise status.path_not_found()

    def _openapi(self, request: web.Request) -> web.StreamResponse:
        if "protobuf" in request.headers.get("Accept", ""):
            raise status.StatusError(
                406, "NotAcceptable", "only application/json is served for /openapi/v2"
            )
        if request.headers.get("If-None-Match") == self._etag:
            return web.Response(status=304, headers={"ETag": self._etag})
        headers = {
            "ETag": self._etag,
            "Content-Type": "application/json",
            "Vary": "Accept-Encoding",
        }
        body = self._spec_bytes
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        return web.Response(body=body, headers=headers)

    # ------------------------------------------------------------ resources

    async def _resources(
        self,
        request: web.Request,
        group: str,
        version: str,
        rest: list[str],
        anonymous: bool = False,
    ) -> web.StreamResponse:
        if not rest:
            doc = self.registry.resource_list(group, version)
            if doc is None:
                raise status.path_not_found()
            return _json(doc)
        namespace: str | None = None
        if len(rest) >= 3 and rest[0] == "namespaces" and self._namespaced(group, version, rest[2]):
            namespace, rest = rest[1], rest[2:]
        rt = self.registry.get(group, version, rest[0])
        if rt is None or len(rest) > 3:
            raise status.path_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if sub in rt.connect:  # a stream: only an upgraded connection could be served
            raise status.bad_request("Upgrade request required")
        if sub and sub not in rt.subresources:
            raise status.path_not_found()
        query = {
            k: v[-1] for k, v in parse_qs(request.query_string, keep_blank_values=True).items()
        }
        verb = _verb(request.method, name, sub, query)
        if anonymous:
            raise status.forbidden_resource(verb, rt.plural, sub, rt.group, name, namespace)
        allowed = rt.subresources.get(sub, ()) if sub else rt.verbs
        if verb not in allowed and not (verb == "watch" and "list" in allowed):
            raise status.method_not_allowed()
        ns = namespace or ""
        warnings: list[str] = []
        if rt.namespaced and namespace is None and verb not in ("list", "watch"):
            raise status.path_not_found()
        if verb == "list":
            return self._list(rt, namespace, query)
        if verb == "watch":
            return await self._watch(request, rt, namespace, query)
        if verb == "create" and name is None:
            obj = await _body(request)
            meta_ns = (obj.get("metadata") or {}).get("namespace")
            if rt.namespaced and meta_ns and meta_ns != ns:
                raise status.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            with _decoding(rt):
                obj = self._admit(rt, obj, query, warnings, None, _manager(request, query))
            return self._out(rt, self.store.create(rt, ns, obj), 201, warnings)
        if verb == "deletecollection":
            match = self._matcher(query)
            for obj in self.store.select(rt, namespace, match):
                self.store.delete(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            return _json(
                {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
            )
        assert name is not None
        if verb == "get":
            obj = self.store.get(rt, ns, name)
            if sub == "log":
                return await self._log(request, obj, query)
            return self._out(rt, self._scale(rt, obj) if sub == "scale" else obj)
        if verb == "update":
            obj = await _body(request)
            if sub == "scale":
                replicas = self._set_replicas(rt, ns, name, obj, _manager(request, query))
                return self._out(rt, self._scale(rt, replicas))
            old = self.store.get(rt, ns, name)
            with _decoding(rt):
                obj = self._admit(
                    rt, obj, query, warnings, old, "" if sub else _manager(request, query), sub
                )
            return self._out(rt, self.store.update(rt, ns, name, obj, sub), 200, warnings)
        if verb == "patch":
            return await self._patch(request, rt, ns, name, sub, query)
        if verb == "delete":
            options = await _body(request, optional=True)
            policy = (
                options.get("propagationPolicy") or query.get("propagationPolicy") or "Background"
            )
            if policy not in ("Background", "Foreground", "Orphan"):
                raise status.bad_request(f"unsupported propagationPolicy {policy!r}")
            gone = self.store.delete(rt, ns, name, options.get("preconditions"))
            if rt.plural == "namespaces" and not rt.group:
                self._delete_namespace_contents(name)
            self._collect_dependents(gone["metadata"]["uid"], policy == "Orphan")
            return self._out(rt, gone)
        raise status.method_not_allowed()

    def _admit(
        self,
        rt: ResourceType,
        obj: Obj,
        query: dict[str, str],
        warnings: list[str],
        old: Obj | None = None,
        manager: str = "",
        sub: str = "",
        partial: bool = False,
    ) -> Obj:
        """Validate a body about to be stored; unknown fields per fieldValidation (default Warn).

        With a `manager`, the fields the write changed are recorded as its `Update` fields.
        A custom resource is checked against its own CRD version (`partial`: an apply
        configuration, only pruned; `sub`: the subresource written).
        """
        mode = query.get("fieldValidation") or "Warn"
        if mode not in ("Strict", "Warn", "Ignore"):
            raise status.bad_request(
                f"fieldValidation must be one of Strict, Warn or Ignore, not {mode!r}"
            )
        custom = self.custom.get(rt.group, rt.plural, rt.version)
        if custom is not None:
            checked, found = custom.admit(obj, old, mode, sub, partial)
        else:
            checked, found = self.validator.check(rt.model, rt.kind, rt.group, obj, mode)
        warnings.extend(found)
        if manager:
            ssa.record_update(
                old, checked, manager, rt.api_version, rt.model, self._list_meta, now()
            )
        return checked

    async def _log(
        self, request: web.Request, pod: Obj, query: dict[str, str]
    ) -> web.StreamResponse:
        """pods/log: the text FakeServer.append_log() gave the container; follow=true streams on."""
        containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
        container = query.get("container") or (containers[0] if len(containers) == 1 else "")
        name = pod["metadata"]["name"]
        if not container and len(containers) > 1:
            choices = " ".join(containers)
            raise status.bad_request(
                f"a container name must be specified for pod {name}, choose one of: [{choices}]"
            )
        if containers and container not in containers:
            raise status.bad_request(f"container {container} is not valid for pod {name}")
        key = (pod["metadata"].get("namespace", ""), name, container)
        text = self.store.pod_logs.get(key, "")
        if query.get("tailLines"):
            text = "".join(text.splitlines(keepends=True)[-int(query["tailLines"]) :])
        if query.get("follow") not in ("true", "1"):
            return web.Response(text=text, content_type="text/plain")
        response = web.StreamResponse(
            headers={"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}
        )
        await response.prepare(request)
        sent = len(self.store.pod_logs.get(key, ""))
        cond = self.store.log_condition()
        with contextlib.suppress(ConnectionResetError):  # the client going away ends it
            await response.write(text.encode())
            while request.transport is not None and not request.transport.is_closing():
                current = self.store.pod_logs.get(key, "")
                if len(current) > sent:
                    await response.write(current[sent:].encode())
                    sent = len(current)
                    continue
                async with cond:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(cond.wait(), 1.0)
        return response

    def _namespaced(self, group: str, version: str, plural: str) -> bool:
        rt = self.registry.get(group, version, plural)
        return rt is not None and rt.namespaced

    def _out(
        self, rt: ResourceType, obj: Obj, code: int = 200, warnings: list[str] | None = None
    ) -> web.Response:
        if obj.get("kind") == rt.kind and obj.get("apiVersion") != rt.api_version:
            obj = {**obj, "apiVersion": rt.api_version}
        response = web.Response(body=encode(obj), status=code, content_type="application/json")
        for warning in warnings or ():
            response.headers.add("Warning", '299 - "' + warning.replace('"', '\\"') + '"')
        return response

    def _matcher(self, query: dict[str, str]) -> Any:
        labels = label_selector(query.get("labelSelector"))
        fields = field_selector(query.get("fieldSelector"))
        return lambda obj: labels((obj.get("metadata") or {}).get("labels") or {}) and fields(obj)

    def _list(self, rt: ResourceType, namespace: str | None, query: dict[str, str]) -> web.Response:
        """One page of a consistent snapshot: later pages come from the first page's snapshot."""
        token = query.get("continue")
        if token:
            rv, items, start = self.store.resume(token)
        else:
            rv, items, start = (
                str(self.store.rv),
                self.store.select(rt, namespace, self._matcher(query)),
                0,
            )
        limit = int(query.get("limit") or 0)
        end = start + limit if limit else len(items)
        meta: dict[str, Any] = {"resourceVersion": rv}
        if end < len(items):
            meta["continue"] = self.store.snapshot(items, end, rv)
            meta["remainingItemCount"] = len(items) - end
        head = encode({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})
        page = b",".join(
            (
                self.store.encoded(o)
                if o.get("apiVersion") == rt.api_version
                else encode(self._versioned(rt, o))
            )
            for o in items[start:end]
        )
        return web.Response(
            body=head[:-1] + b',"items":[' + page + b"]}", content_type="application/json"
        )

    @staticmethod
    def _versioned(rt: ResourceType, obj: Obj) -> Obj:
        return (
            obj
            if obj.get("apiVersion") == rt.api_version
            else {**obj, "apiVersion": rt.api_version}
        )

    async def _watch(
        self, request: web.Request, rt: ResourceType, namespace: str | None, query: dict[str, str]
    ) -> web.StreamResponse:
        match = self._matcher(query)
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else None
        response = web.StreamResponse(
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        )
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout if timeout else None

        try:
            given = query.get("resourceVersion", "")
            if given in ("", "0"):
                rv = self.store.rv
                for obj in self.store.select(rt, namespace, match):
                    await response.write(_line("ADDED", self._versioned(rt, obj)))
            else:
                try:
                    rv = int(given)
                    self.store.events_since(rt, rv)
                except ValueError:
                    raise status.bad_request(f"invalid resource version: {given}") from None
            cond = self.store.condition(rt)
            last_bookmark = loop.time()
            while deadline is None or loop.time() < deadline:
                if _gone(request):
                    break
                events = self.store.events_since(rt, rv)
                batch: list[bytes] = []  # what is pending goes out as one chunk
                for event in events:
                    rv = event.rv
                    if namespace is not None and event.namespace != namespace:
                        continue
                    seen = _as_seen(event, match)
                    if seen == event.type:
                        batch.append(event.line(rt.api_version))
                    elif seen == "ADDED":
                        batch.append(_line("ADDED", self._versioned(rt, event.object)))
                    elif seen == "DELETED":
                        assert event.old is not None
                        last = copy.deepcopy(event.old)
                        last["metadata"]["resourceVersion"] = str(event.rv)
                        batch.append(_line("DELETED", self._versioned(rt, last)))
                    if len(batch) == 256:
                        if _gone(request):
                            break
                        await response.write(b"".join(batch))
                        batch.clear()
                if batch and not _gone(request):
                    await response.write(b"".join(batch))
                if events:
                    await asyncio.sleep(0)  # a lost connection is noticed before more writes
                    continue
                if bookmarks and loop.time() - last_bookmark >= self.bookmark_interval:
                    mark = {
                        "kind": rt.kind,
                        "apiVersion": rt.api_version,
                        "metadata": {"resourceVersion": str(self.store.rv)},
                    }
                    await response.write(encode({"type": "BOOKMARK", "object": mark}) + b"\n")
                    last_bookmark = loop.time()
                wait = self.bookmark_interval if bookmarks else 30.0
                if deadline is not None:
                    wait = min(wait, max(deadline - loop.time(), 0.0))
                async with cond:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(cond.wait(), min(wait, 1.0))
        except status.StatusError as exc:
            with contextlib.suppress(ConnectionResetError):
                await response.write(encode({"type": "ERROR", "object": exc.body()}) + b"\n")
        except ConnectionResetError:
            return response  # the client went away mid-stream
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response

    async def _patch(
        self,
        request: web.Request,
        rt: ResourceType,
        ns: str,
        name: str,
        sub: str,
        query: dict[str, str],
    ) -> web.Response:
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        flavour = _PATCH_TYPES.get(content_type)
        if flavour is None:
            raise status.unsupported_media_type(content_type)
        text = await request.read()
        try:
            patch_body = yaml.safe_load(text) if flavour == "apply" else json.loads(text or b"null")
        except (ValueError, yaml.YAMLError) as exc:
            raise status.bad_request(f"error decoding patch: {exc}") from None
        if flavour == "apply":
            return self._apply(rt, ns, name, patch_body, query)
        current = self.store.get(rt, ns, name)
        base = self._scale(rt, current) if sub == "scale" else copy.deepcopy(current)
        if flavour == "json":
            result = patches.json_patch(base, patch_body)
        elif flavour == "merge":
            result = patches.merge_patch(base, patch_body)
        else:
            if any(
                (t.group, t.plural) == (rt.group, rt.plural)
                for ts in self._crds.values()
                for t in ts
            ):
                # Custom resources have no patch strategies: kube-apiserver refuses this type.
                raise status.unsupported_media_type(content_type, _CUSTOM_PATCH_TYPES)
            result = patches.strategic_merge(
                base, patch_body, rt.model if sub != "scale" else "", self._patch_meta
            )
        if not isinstance(result, dict):
            raise status.bad_request("the patch did not produce an object")
        if sub == "scale":
            replicas = self._set_replicas(rt, ns, name, result, _manager(request, query))
            return self._out(rt, self._scale(rt, replicas))
        warnings: list[str] = []
        result = self._admit(
            rt, result, query, warnings, current, "" if sub else _manager(request, query), sub
        )
        return self._out(rt, self.store.update(rt, ns, name, result, sub), 200, warnings)

    def _apply(
        self, rt: ResourceType, ns: str, name: str, body: Any, query: dict[str, str]
    ) -> web.Response:
        """Server-side apply: the manager owns what it applies; conflicts are 409 unless forced."""
        manager = query.get("fieldManager")
        if not manager:
            raise status.bad_request("PATCH: fieldManager is required for apply requests")
        if not isinstance(body, dict):
            raise status.bad_request("apply patch must be an object")
        body.setdefault("metadata", {})["name"] = name
        try:
            current: Obj | None = self.store.get(rt, ns, name)
        except status.StatusError:
            current = None
        force = query.get("force") in ("true", "1")
        warnings: list[str] = []
        config = self._admit(rt, body, query, warnings, partial=True)
        merged = ssa.apply(
            current, config, manager, force, rt.api_version, rt.model, self._list_meta, now()
        )
        merged = self._admit(rt, merged, {"fieldValidation": "Ignore"}, warnings, current)
        if current is None:
            return self._out(rt, self.store.create(rt, ns, merged), 201, warnings)
        return self._out(rt, self.store.update(rt, ns, name, merged), 200, warnings)

    def _list_meta(self, model: str, field_name: str) -> tuple[str, tuple[str, ...], str]:
        """How server-side apply treats a field: list type, list-map keys, the nested model."""
        schema = (self.spec.get("definitions") or {}).get(model) or {}
        prop = (schema.get("properties") or {}).get(field_name) or {}
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        ref = target.get("$ref", "") if isinstance(target, dict) else ""
        list_type = str(prop.get("x-kubernetes-list-type", ""))
        keys = tuple(prop.get("x-kubernetes-list-map-keys") or ())
        if not list_type and prop.get("x-kubernetes-patch-merge-key"):
            list_type, keys = "map", (str(prop["x-kubernetes-patch-merge-key"]),)
        return list_type, keys, ref.rsplit("/", 1)[-1] if ref else ""

    def _patch_meta(self, model: str, field_name: str) -> tuple[str, str, str]:
        schema = (self.spec.get("definitions") or {}).get(model) or {}
        prop = (schema.get("properties") or {}).get(field_name) or {}
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        ref = target.get("$ref", "") if isinstance(target, dict) else ""
        return (
            str(prop.get("x-kubernetes-patch-strategy", "")),
            str(prop.get("x-kubernetes-patch-merge-key", "")),
            ref.rsplit("/", 1)[-1] if ref else "",
        )

    def _scale(self, rt: ResourceType, obj: Obj) -> Obj:
        meta = obj["metadata"]
        if rt.scale_paths is None:
            spec_path, status_path = ".spec.replicas", ".status.replicas"
            labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        else:
            spec_path, status_path, selector_path = rt.scale_paths
            found = _at_path(obj, selector_path) if selector_path else None
            selector = found if isinstance(found, str) else ""
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in meta
            },
            "spec": {"replicas": _at_path(obj, spec_path) or 0},
            "status": {"replicas": _at_path(obj, status_path) or 0, "selector": selector},
        }

    def _set_replicas(self, rt: ResourceType, ns: str, name: str, scale: Obj, manager: str) -> Obj:
        """A write through the scale subresource: the replicas field, owned by its manager."""
        old = self.store.get(rt, ns, name)
        current = copy.deepcopy(old)
        wanted_rv = (scale.get("metadata") or {}).get("resourceVersion")
        path = rt.scale_paths[0] if rt.scale_paths else ".spec.replicas"
        *parents, leaf = [p for p in path.split(".") if p]
        node = current
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = (scale.get("spec") or {}).get("replicas", 0)
        if wanted_rv:
            current["metadata"]["resourceVersion"] = wanted_rv
        ssa.record_update(old, current, manager, rt.api_version, rt.model, self._list_meta, now())
        return self.store.update(rt, ns, name, current)

    def _collect_dependents(self, uid: str, orphan: bool) -> None:
        """The garbage collector's part: dependents go with their owner, or lose the reference."""
        for rt in list({(t.group, t.plural): t for t in self.registry.types.values()}.values()):
            for obj in self.store.select(rt, None, lambda o: True):
                refs = obj["metadata"].get("ownerReferences") or []
                if not any(r.get("uid") == uid for r in refs):
                    continue
                ns, name = obj["metadata"].get("namespace", ""), obj["metadata"]["name"]
                if orphan:
                    kept = copy.deepcopy(obj)
                    kept["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != uid]
                    self.store.update(rt, ns, name, kept)
                else:
                    gone = self.store.delete(rt, ns, name)
                    self._collect_dependents(gone["metadata"]["uid"], False)

    def _delete_namespace_contents(self, namespace: str) -> None:
        for rt in list(self.registry.types.values()):
            if rt.namespaced:
                for obj in self.store.select(rt, namespace, lambda o: True):
                    self.store.delete(rt, namespace, obj["metadata"]["name"])


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


@contextlib.contextmanager
def _decoding(rt: ResourceType) -> Iterator[None]:
    """Admitting the body of a create or update: kube-apiserver's decoder names the kind in a
    strict decoding error (`CronTab in version "v1" cannot be handled as a CronTab: strict
    decoding error: unknown field "spec.x"`); a patch words it otherwise."""
    try:
        yield
    except status.StatusError as exc:
        if exc.code != 400 or not exc.message.startswith("strict decoding error"):
            raise
        raise status.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {exc.message}'
        ) from None


def _manager(request: web.Request, query: dict[str, str]) -> str:
    """The field manager of a write: `fieldManager`, else the client's User-Agent name."""
    agent = request.headers.get("User-Agent", "unknown").split("/")[0].split(" ")[0]
    return query.get("fieldManager") or agent or "unknown"


def _delete_options_dry_run(body: bytes) -> bool:
    """DeleteOptions may ask for a dry run in the body (`"dryRun": ["All"]`) too."""
    try:
        options = json.loads(body) if body else {}
    except ValueError:
        return False
    return isinstance(options, dict) and options.get("dryRun") == ["All"]


def _line(kind: str, obj: Obj) -> bytes:
    """One event of a watch stream."""
    return encode({"type": kind, "object": obj}) + b"\n"


def _gone(request: web.Request) -> bool:
    """The client of a stream went away (its connection is closed or closing)."""
    return request.transport is None or request.transport.is_closing()


def _as_seen(event: Event, match: Any) -> str | None:
    """The event a watcher with this selector sees, as kube-apiserver's watch cache decides:
    an object that starts to match is ADDED, one that stops matching is DELETED (with its
    last matching content at the event's resourceVersion), one that never matches is not seen."""
    now = match(event.object)
    if event.old is None:
        return event.type if now else None
    before = match(event.old)
    if now:
        return event.type if before else "ADDED"
    return "DELETED" if before else None


def _verb(method: str, name: str | None, sub: str, query: dict[str, str]) -> str:
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


async def _body(request: web.Request, optional: bool = False) -> Obj:
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
    if content_type not in _JSON_TYPES:
        raise status.unsupported_media_type(content_type)
    data = await request.read()
    if not data and optional:
        return {}
    try:
        value = yaml.safe_load(data) if content_type == "application/yaml" else json.loads(data)
    except (ValueError, yaml.YAMLError) as exc:
        raise status.bad_request(f"the body of the request could not be decoded: {exc}") from None
    if not isinstance(value, dict):
        raise status.bad_request("the body of the request must be a JSON object")
    return value


def _json(body: Any, code: int = 200) -> web.Response:
    return web.Response(body=encode(body), status=code, content_type="application/json")


def _at_path(obj: Obj, path: str) -> Any:
    """The value at a CRD scale path such as `.spec.replicas`; None where it is absent."""
    value: Any = obj
    for key in (p for p in path.split(".") if p):
        value = value.get(key) if isinstance(value, dict) else None
    return value
