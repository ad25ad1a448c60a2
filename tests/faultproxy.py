"""A fault-injecting HTTP proxy on 127.0.0.1, in front of a fake API server.

It forwards requests (plain HTTP in, HTTPS to the fake server) and, on command, breaks what
passes through the way networks and proxies do: a watch stream cut in the middle of an event,
a stream that stalls, an ERROR event the server did not send, a connection reset before any
answer. Status-code faults (429, 5xx, 410) come from the fake server itself
(`FakeServer.inject`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from kubeforge.fake import FakeServer, status

GONE_EVENT = (
    b'{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},'
    b'"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired",'
    b'"code":410}}\n'
)


@dataclass
class WatchFault:
    """What to do to one watch request: after `after` events, `cut` it mid-event, `stall` it
    (send nothing more, keep the connection), or send a 410 ERROR event (`gone`); or answer
    it with an HTTP status (`500`, `410`, ...) as the server would, without forwarding."""

    kind: str
    after: int = 0


@dataclass
class Plan:
    watch: list[WatchFault] = field(default_factory=list)  # for successive watch requests
    resets: int = 0  # close the connection of this many non-watch GETs without answering
    applied: list[str] = field(default_factory=list)


class FaultProxy:
    """`with FaultProxy(fake) as proxy:` then point a client at `proxy.url`."""

    def __init__(self, upstream: FakeServer) -> None:
        self.upstream = upstream
        self.plan = Plan()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._release: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            loop.run_until_complete(self._start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _start(self) -> None:
        context = ssl.create_default_context(cafile=self.upstream.ca_file)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, limit=0),
            timeout=aiohttp.ClientTimeout(total=None),
        )
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _cleanup(self) -> None:
        """Close the listener, then end every stream still held (stalls included)."""
        assert self._release is not None and self._session is not None
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
        await self._session.close()
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        watch = request.query.get("watch") in ("true", "1")
        if not watch and request.method == "GET" and self.plan.resets > 0:
            self.plan.resets -= 1
            self.plan.applied.append(f"reset {request.path}")
            assert request.transport is not None
            request.transport.close()  # no answer at all: the client sees the connection drop
            return web.Response()
        fault = self.plan.watch.pop(0) if watch and self.plan.watch else None
        if fault is not None and fault.kind.isdigit():
            self.plan.applied.append(f"{fault.kind} on a watch")
            error = status.injected(int(fault.kind), None, None)
            return web.json_response(error.body(), status=error.code)
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        upstream = await self._session.request(
            request.method,
            self.upstream.url + request.path_qs,
            headers=headers,
            data=await request.read(),
        )
        try:
            if not watch or upstream.status != 200:
                body = await upstream.read()
                kept = {
                    k: v
                    for k, v in upstream.headers.items()
                    if k.lower() in ("content-type", "warning", "retry-after")
                }
                return web.Response(body=body, status=upstream.status, headers=kept)
            return await self._stream(request, upstream, fault)
        finally:
            upstream.release()

    async def _stream(
        self, request: web.Request, upstream: aiohttp.ClientResponse, fault: WatchFault | None
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        sent = 0
        with contextlib.suppress(ConnectionResetError, aiohttp.ClientConnectionError):
            async for line in upstream.content:
                if fault is not None and sent == fault.after:
                    await self._break(request, response, fault, line)
                    return response
                await response.write(line)
                sent += 1
            await response.write_eof()
        return response

    async def _break(
        self, request: web.Request, response: web.StreamResponse, fault: WatchFault, line: bytes
    ) -> None:
        assert request.transport is not None and self._release is not None
        self.plan.applied.append(f"{fault.kind} after {fault.after}")
        if fault.kind == "cut":
            await response.write(line[: len(line) // 2])
            request.transport.close()
        elif fault.kind == "stall":
            await self._release.wait()  # until the proxy stops or the client gives up
        elif fault.kind == "gone":
            await response.write(GONE_EVENT)
            await response.write_eof()
        else:
            raise ValueError(fault.kind)

    def status(self) -> dict[str, Any]:
        return {"applied": list(self.plan.applied), "pending": list(self.plan.watch)}
