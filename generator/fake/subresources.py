"""Handlers of the subresources that are not a part of the object itself: `scale` (an
autoscaling/v1 Scale over the replicas field) and `pods/log`. `status` is served by the
verbs, which the store tells to write only the status part."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from aiohttp import web

from kubeforge.fake import apply as ssa
from kubeforge.fake import negotiate, status, verbs
from kubeforge.fake.registry import ResourceType
from kubeforge.fake.request import Context, Request
from kubeforge.fake.store import Obj, now


async def get_scale(ctx: Context, req: Request) -> web.StreamResponse:
    assert req.name is not None
    return negotiate.resource(req.rt, scale_of(req.rt, ctx.store.get(req.rt, req.ns, req.name)))


async def update_scale(ctx: Context, req: Request) -> web.StreamResponse:
    return _set_replicas(ctx, req, negotiate.decode_object(req))


async def patch_scale(ctx: Context, req: Request) -> web.StreamResponse:
    assert req.name is not None
    flavour = negotiate.patch_flavour(req)
    document = negotiate.decode_patch(req, flavour)
    if flavour == "apply":  # applied to the object itself, not to its Scale
        return verbs.apply(ctx, req, document)
    current = scale_of(req.rt, ctx.store.get(req.rt, req.ns, req.name))
    return _set_replicas(ctx, req, verbs.patched(ctx, req, flavour, current, document, ""))


def scale_of(rt: ResourceType, obj: Obj) -> Obj:
    """The object's Scale: its replicas (a CRD names its own paths) and label selector."""
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


def _set_replicas(ctx: Context, req: Request, scale: Obj) -> web.StreamResponse:
    """A write through the scale subresource: the replicas field, owned by its manager."""
    assert req.name is not None
    rt = req.rt
    old = ctx.store.get(rt, req.ns, req.name)
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
    ssa.record_update(
        old, current, req.manager, rt.api_version, rt.model, ctx.catalog.list_meta, now()
    )
    updated = ctx.store.update(rt, req.ns, req.name, current, dry_run=req.dry_run)
    return negotiate.resource(rt, scale_of(rt, updated))


def _at_path(obj: Obj, path: str) -> Any:
    """The value at a CRD scale path such as `.spec.replicas`; None where it is absent."""
    value: Any = obj
    for key in (p for p in path.split(".") if p):
        value = value.get(key) if isinstance(value, dict) else None
    return value


async def get_log(ctx: Context, req: Request) -> web.StreamResponse:
    """pods/log: the text FakeServer.append_log() gave the container; follow=true streams on."""
    assert req.name is not None
    pod = ctx.store.get(req.rt, req.ns, req.name)
    query, name = req.query, req.name
    containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
    container = query.get("container") or (containers[0] if len(containers) == 1 else "")
    if not container and len(containers) > 1:
        choices = " ".join(containers)
        raise status.bad_request(
            f"a container name must be specified for pod {name}, choose one of: [{choices}]"
        )
    if containers and container not in containers:
        raise status.bad_request(f"container {container} is not valid for pod {name}")
    key = (pod["metadata"].get("namespace", ""), name, container)
    logs = ctx.store.pod_logs
    text = logs.get(key, "")
    if query.get("tailLines"):
        text = "".join(text.splitlines(keepends=True)[-int(query["tailLines"]) :])
    if query.get("follow") not in ("true", "1"):
        return negotiate.text(text)
    response = await negotiate.stream(req, "text/plain")
    sent = len(logs.get(key, ""))
    with contextlib.suppress(ConnectionError):  # the client going away ends it
        await response.write(text.encode())
        while not req.gone():
            grown = ctx.store.log_changed()
            current = logs.get(key, "")
            if len(current) > sent:
                await response.write(current[sent:].encode())
                sent = len(current)
                continue
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(grown.wait(), 1.0)
    return response
