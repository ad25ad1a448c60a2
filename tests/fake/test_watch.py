"""Acceptance (fake server) 3: watch fan-out, resume inside the window, 410 outside it."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import struct
import time

import httpx
import pytest

from kubeapi import AsyncClient, Client, Config, Gone
from kubeapi.core_v1 import ConfigMap
from kubeapi.meta_v1 import ObjectMeta
from kubeforge.fake import FakeServer

WATCHERS = 20
WRITES = 2000


def _config(server: FakeServer) -> Config:
    return Config(server.url, token=server.token, ca_file=server.ca_file)


def test_every_watcher_sees_every_event_once_in_order() -> None:
    with FakeServer(watch_window=5000) as server:
        with Client(_config(server)) as kube:
            start_rv = kube.core_v1.configmaps().list().metadata.resource_version
        assert start_rv is not None

        async def scenario() -> list[list[tuple[str, int]]]:
            async with AsyncClient(_config(server), timeout=120) as kube:
                maps = kube.core_v1.configmaps()

                async def watcher() -> list[tuple[str, int]]:
                    seen: list[tuple[str, int]] = []
                    async for event in maps.watch(resource_version=start_rv, timeout_seconds=90):
                        seen.append((event.type, int(event.object.metadata.resource_version or 0)))
                        if len(seen) == WRITES:
                            break
                    return seen

                # Each watcher resumes from start_rv, so it misses nothing written before it starts.
                watchers = [asyncio.create_task(watcher()) for _ in range(WATCHERS)]
                gate = asyncio.Semaphore(16)

                async def write(i: int) -> None:
                    async with gate:
                        name = f"cm-{i % 500}"
                        if i < 500:
                            await maps.create(
                                ConfigMap(metadata=ObjectMeta(name=name), data={"i": str(i)})
                            )
                        else:
                            await maps.patch(name, {"data": {"i": str(i)}})

                for batch in range(0, WRITES, 500):
                    await asyncio.gather(*(write(i) for i in range(batch, batch + 500)))
                return await asyncio.wait_for(asyncio.gather(*watchers), 120)

        results = asyncio.run(scenario())
    assert len(results) == WATCHERS
    first = results[0]
    assert len(first) == WRITES
    versions = [rv for _, rv in first]
    assert versions == sorted(versions) and len(set(versions)) == WRITES, "in order, each once"
    assert [kind for kind, _ in first].count("ADDED") == 500
    for seen in results[1:]:
        assert seen == first


def test_resume_inside_the_window_misses_nothing_and_outside_is_gone() -> None:
    with FakeServer(watch_window=50) as server, Client(_config(server)) as kube:
        maps = kube.core_v1.configmaps()
        versions = []
        for i in range(80):
            versions.append(
                maps.create(ConfigMap(metadata=ObjectMeta(name=f"m{i}"))).metadata.resource_version
            )
        resume_from = versions[40]
        events = list(maps.watch(resource_version=resume_from, timeout_seconds=1))
        assert [e.object.metadata.name for e in events] == [f"m{i}" for i in range(41, 80)]
        with pytest.raises(Gone) as info:
            list(maps.watch(resource_version=versions[5], timeout_seconds=1, on_gone="raise"))
        assert info.value.code == 410
        assert info.value.message.startswith(f"too old resource version: {versions[5]} (")


def test_bookmarks_carry_the_current_resource_version() -> None:
    """The server sends bookmarks on a quiet watch that asked for them."""
    with FakeServer(bookmark_interval=0.2) as server, Client(_config(server)) as kube:
        maps = kube.core_v1.configmaps()
        rv = maps.create(ConfigMap(metadata=ObjectMeta(name="x"))).metadata.resource_version
        query = {"watch": "true", "resourceVersion": rv, "allowWatchBookmarks": "true"}
        seen = []
        headers = {"Authorization": f"Bearer {server.token}"}
        verify = ssl.create_default_context(cafile=server.ca_file)
        path = f"{server.url}/api/v1/namespaces/default/configmaps"
        with httpx.stream("GET", path, params=query, headers=headers, verify=verify) as r:
            for line in r.iter_lines():
                seen.append(json.loads(line))
                if len(seen) == 2:
                    break
        assert [e["type"] for e in seen] == ["BOOKMARK", "BOOKMARK"]
        assert seen[-1]["object"]["metadata"] == {"resourceVersion": rv}
        # client-go decodes a bookmark's object as the watched kind: it needs both.
        assert (seen[-1]["object"]["kind"], seen[-1]["object"]["apiVersion"]) == ("ConfigMap", "v1")


def test_a_watch_gets_each_change_at_once() -> None:
    """Writes wake their watchers: five changes, each awaited, take far less than the
    one-second wait a watcher would otherwise sleep between looks at the log."""
    import time

    with FakeServer() as server, Client(_config(server)) as kube:
        maps = kube.core_v1.configmaps()
        rv = maps.create(ConfigMap(metadata=ObjectMeta(name="first"))).metadata.resource_version
        query = {"watch": "true", "resourceVersion": rv, "timeoutSeconds": "30"}
        headers = {"Authorization": f"Bearer {server.token}"}
        verify = ssl.create_default_context(cafile=server.ca_file)
        path = f"{server.url}/api/v1/namespaces/default/configmaps"
        with httpx.stream(
            "GET", path, params=query, headers=headers, verify=verify, timeout=30
        ) as r:
            lines = r.iter_lines()
            started = time.monotonic()
            for n in range(5):
                maps.create(ConfigMap(metadata=ObjectMeta(name=f"m{n}")))
                event = json.loads(next(lines))
                assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", f"m{n}")
            assert time.monotonic() - started < 2.0


def test_a_client_leaving_a_watch_is_no_error(caplog: pytest.LogCaptureFixture) -> None:
    """A client that drops its connection while the server waits to write more to it (here,
    mid-way through six megabytes of initial events) ends that watch: nothing is logged as
    an error and no 500 is answered; the server serves on."""
    with FakeServer(tls=False) as server, Client(_config(server)) as kube:
        maps = kube.core_v1.configmaps()
        for i in range(30):
            maps.create(ConfigMap(metadata=ObjectMeta(name=f"big{i}"), data={"x": "y" * 200_000}))
        mark = server.request_count()
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(
                b"GET /api/v1/configmaps?watch=true HTTP/1.1\r\nHost: fake\r\n"
                + f"Authorization: Bearer {server.token}\r\n\r\n".encode()
            )
            assert sock.recv(64).startswith(b"HTTP/1.1 200")
            time.sleep(0.5)  # the socket buffers fill: the server waits to write more
            # Linger 0: the close resets the connection, as a killed client's would.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.5)  # the waiting write learns that the connection is gone
        maps.create(ConfigMap(metadata=ObjectMeta(name="after")))
        assert maps.get("after").metadata.name == "after"
        answered = [(r.path, r.code) for r in server.requests(after=mark)]
    assert answered[0] == ("/api/v1/configmaps", 200)
    assert all(code < 500 for _, code in answered), answered
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
