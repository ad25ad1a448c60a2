"""The watch verb: a chunked stream of JSON events read from the store's event log."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable

from aiohttp import web

from kubeforge.fake import negotiate, status
from kubeforge.fake.request import Context, Request
from kubeforge.fake.selectors import selector
from kubeforge.fake.store import Event, Obj

# Events pending for a watcher go out as one chunk, up to this many.
_BATCH = 256


async def watch(ctx: Context, req: Request) -> web.StreamResponse:
    """Initial ADDED events (no resourceVersion), then every change, until `timeoutSeconds`
    or the client goes away; BOOKMARKs when asked for; 410 Gone as an ERROR event. A client
    that disconnects ends the stream quietly: that is how watches end, not an error."""
    rt, store, query = req.rt, ctx.store, req.query
    match = selector(query)
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
    timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout if timeout else None
    try:
        response = await negotiate.stream(req, "application/json")
    except ConnectionError:
        return web.Response()  # the client left before the stream began; nobody reads this
    try:
        given = query.get("resourceVersion", "")
        if given in ("", "0"):
            rv = store.rv
            for obj in store.select(rt, req.namespace, match):
                await response.write(negotiate.watch_line("ADDED", negotiate.versioned(rt, obj)))
        else:
            try:
                rv = int(given)
                store.events_since(rt, rv)
            except ValueError:
                raise status.bad_request(f"invalid resource version: {given}") from None
        last_bookmark = loop.time()
        while deadline is None or loop.time() < deadline:
            if req.gone():
                break
            changed = store.changed(rt)  # taken first: a change while we write still wakes us
            events = store.events_since(rt, rv)
            batch: list[bytes] = []
            for event in events:
                rv = event.rv
                if req.namespace is not None and event.namespace != req.namespace:
                    continue
                line = _as_seen(req, event, match)
                if line is not None:
                    batch.append(line)
                if len(batch) == _BATCH:
                    if req.gone():
                        break
                    await response.write(b"".join(batch))
                    batch.clear()
            if batch and not req.gone():
                await response.write(b"".join(batch))
            if events:
                await asyncio.sleep(0)  # a lost connection is noticed before more writes
                continue
            if bookmarks and loop.time() - last_bookmark >= ctx.bookmark_interval:
                mark = {
                    "kind": rt.kind,
                    "apiVersion": rt.api_version,
                    "metadata": {"resourceVersion": str(store.rv)},
                }
                await response.write(negotiate.watch_line("BOOKMARK", mark))
                last_bookmark = loop.time()
            wait = ctx.bookmark_interval if bookmarks else 30.0
            if deadline is not None:
                wait = min(wait, max(deadline - loop.time(), 0.0))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(changed.wait(), min(wait, 1.0))
    except status.StatusError as exc:
        with contextlib.suppress(ConnectionError):
            await response.write(negotiate.watch_line("ERROR", exc.body()))
    except ConnectionError:
        return response  # the client went away mid-stream
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response


def _as_seen(req: Request, event: Event, match: Callable[[Obj], bool]) -> bytes | None:
    """The event a watcher with this selector sees, as kube-apiserver's watch cache decides:
    an object that starts to match is ADDED, one that stops matching is DELETED (with its
    last matching content at the event's resourceVersion), one that never matches is not
    seen."""
    now = match(event.object)
    before = True if event.old is None else match(event.old)
    if event.old is None or now == before:
        return negotiate.watch_event(req.rt, event) if now else None
    if now:
        return negotiate.watch_line("ADDED", negotiate.versioned(req.rt, event.object))
    assert event.old is not None
    last = copy.deepcopy(event.old)
    last["metadata"]["resourceVersion"] = str(event.rv)
    return negotiate.watch_line("DELETED", negotiate.versioned(req.rt, last))
