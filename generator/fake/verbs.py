"""One handler per verb of the generic REST storage: get, list, create, update, patch (and
server-side apply), delete, deletecollection; watch streams from `fake.watch`."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from kubeforge.fake import apply as ssa
from kubeforge.fake import negotiate, status
from kubeforge.fake import patch as patches
from kubeforge.fake.admission import admit, decoding
from kubeforge.fake.request import Context, Request
from kubeforge.fake.selectors import selector
from kubeforge.fake.store import Obj, now

_POLICIES = ("Background", "Foreground", "Orphan")


async def get(ctx: Context, req: Request) -> web.StreamResponse:
    assert req.name is not None
    return negotiate.resource(req.rt, ctx.store.get(req.rt, req.ns, req.name))


async def list_(ctx: Context, req: Request) -> web.StreamResponse:
    """One page of a consistent snapshot: later pages come from the first page's snapshot."""
    store = ctx.store
    token = req.query.get("continue")
    if token:
        rv, items, start = store.resume(token)
    else:
        rv, items, start = (
            str(store.rv),
            store.select(req.rt, req.namespace, selector(req.query)),
            0,
        )
    limit = int(req.query.get("limit") or 0)
    end = start + limit if limit else len(items)
    meta: dict[str, Any] = {"resourceVersion": rv}
    if end < len(items):
        meta["continue"] = store.snapshot(items, end, rv)
        meta["remainingItemCount"] = len(items) - end
    return negotiate.listing(req.rt, store, items[start:end], meta)


async def create(ctx: Context, req: Request) -> web.StreamResponse:
    if req.name is not None:  # a create on an object's subresource: none is served yet
        raise status.method_not_allowed()
    rt = req.rt
    obj = negotiate.decode_object(req)
    meta_ns = (obj.get("metadata") or {}).get("namespace")
    if rt.namespaced and meta_ns and meta_ns != req.ns:
        raise status.bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    warnings: list[str] = []
    with decoding(rt):
        obj = admit(ctx.catalog, rt, obj, req.query, warnings, None, req.manager)
    created = ctx.store.create(rt, req.ns, obj, dry_run=req.dry_run)
    return negotiate.resource(rt, created, 201, warnings)


async def update(ctx: Context, req: Request) -> web.StreamResponse:
    """A replace; through a subresource (status), only that part of the object."""
    assert req.name is not None
    rt, sub = req.rt, req.subresource
    obj = negotiate.decode_object(req)
    old = ctx.store.get(rt, req.ns, req.name)
    warnings: list[str] = []
    with decoding(rt):
        obj = admit(ctx.catalog, rt, obj, req.query, warnings, old, "" if sub else req.manager, sub)
    updated = ctx.store.update(rt, req.ns, req.name, obj, sub, dry_run=req.dry_run)
    return negotiate.resource(rt, updated, 200, warnings)


async def patch(ctx: Context, req: Request) -> web.StreamResponse:
    assert req.name is not None
    rt, sub = req.rt, req.subresource
    flavour = negotiate.patch_flavour(req)
    document = negotiate.decode_patch(req, flavour)
    if flavour == "apply":
        return apply(ctx, req, document)
    current = ctx.store.get(rt, req.ns, req.name)
    result = patched(ctx, req, flavour, copy.deepcopy(current), document, rt.model)
    warnings: list[str] = []
    result = admit(
        ctx.catalog, rt, result, req.query, warnings, current, "" if sub else req.manager, sub
    )
    updated = ctx.store.update(rt, req.ns, req.name, result, sub, dry_run=req.dry_run)
    return negotiate.resource(rt, updated, 200, warnings)


def patched(ctx: Context, req: Request, flavour: str, base: Obj, document: Any, model: str) -> Obj:
    """`base` with a json, merge or strategic merge patch applied (`model`: base's schema)."""
    if flavour == "json":
        result = patches.json_patch(base, document)
    elif flavour == "merge":
        result = patches.merge_patch(base, document)
    else:
        if ctx.catalog.is_custom(req.rt):
            # Custom resources have no patch strategies: kube-apiserver refuses this type.
            raise status.unsupported_media_type(req.content_type, negotiate.CUSTOM_PATCH_TYPES)
        result = patches.strategic_merge(base, document, model, ctx.catalog.patch_meta)
    if not isinstance(result, dict):
        raise status.bad_request("the patch did not produce an object")
    return result


def apply(ctx: Context, req: Request, body: Any) -> web.StreamResponse:
    """Server-side apply: the manager owns what it applies; conflicts are 409 unless forced."""
    assert req.name is not None
    rt, store = req.rt, ctx.store
    manager = req.query.get("fieldManager")
    if not manager:
        raise status.bad_request("PATCH: fieldManager is required for apply requests")
    if not isinstance(body, dict):
        raise status.bad_request("apply patch must be an object")
    body.setdefault("metadata", {})["name"] = req.name
    try:
        current: Obj | None = store.get(rt, req.ns, req.name)
    except status.StatusError:
        current = None
    force = req.query.get("force") in ("true", "1")
    warnings: list[str] = []
    config = admit(ctx.catalog, rt, body, req.query, warnings, partial=True)
    merged = ssa.apply(
        current, config, manager, force, rt.api_version, rt.model, ctx.catalog.list_meta, now()
    )
    merged = admit(ctx.catalog, rt, merged, {"fieldValidation": "Ignore"}, warnings, current)
    if current is None:
        created = store.create(rt, req.ns, merged, dry_run=req.dry_run)
        return negotiate.resource(rt, created, 201, warnings)
    updated = store.update(rt, req.ns, req.name, merged, dry_run=req.dry_run)
    return negotiate.resource(rt, updated, 200, warnings)


async def delete(ctx: Context, req: Request) -> web.StreamResponse:
    """Delete one object; the garbage collector then takes (or orphans) its dependents."""
    assert req.name is not None
    options, dry_run, orphan = _delete_options(req)
    gone = ctx.store.delete(
        req.rt, req.ns, req.name, options.get("preconditions"), dry_run=dry_run, orphan=orphan
    )
    return negotiate.resource(req.rt, gone)


async def deletecollection(ctx: Context, req: Request) -> web.StreamResponse:
    """Delete what the selectors match, each as one delete with the request's DeleteOptions."""
    _, dry_run, orphan = _delete_options(req)
    for obj in ctx.store.select(req.rt, req.namespace, selector(req.query)):
        ns, name = obj["metadata"].get("namespace", ""), obj["metadata"]["name"]
        if ctx.store.find(req.rt, ns, name) is not None:  # not collected with an earlier one
            ctx.store.delete(req.rt, ns, name, dry_run=dry_run, orphan=orphan)
    return negotiate.success()


def _delete_options(req: Request) -> tuple[Obj, bool, bool]:
    """DeleteOptions from the body (and the query), with whether they ask for a dry run and
    for orphaning dependents."""
    options = negotiate.decode_object(req, optional=True)
    policy = options.get("propagationPolicy") or req.query.get("propagationPolicy") or "Background"
    if policy not in _POLICIES:
        raise status.bad_request(f"unsupported propagationPolicy {policy!r}")
    dry_run = req.dry_run or options.get("dryRun") == ["All"]
    return options, dry_run, policy == "Orphan"
