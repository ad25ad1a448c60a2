"""A watch and an informer that never stop: they survive a hostile network and still end equal
to the server. Faults come from a proxy of our own (tests/faultproxy.py) between the client
and the fake server; four writers change ConfigMaps through a direct client meanwhile.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import contextlib
from typing import Any

from faultproxy import FaultProxy, WatchFault

from kubeapi import AlreadyExists, AsyncClient, Client, Config, NotFound, Timeout
from kubeapi.core_v1 import ConfigMap
from kubeapi.meta_v1 import ObjectMeta
from kubeforge.fake import FakeServer

NAMES = [f"cm-{i}" for i in range(30)]
WRITERS, OPS = 4, 250
READ_TIMEOUT = 1.0
# In order, for successive watch requests: two cuts mid-event, a stall past the read timeout,
# a 500 on the reconnect, a 410 ERROR event, a 410 answer, then undisturbed streams.
FAULTS = [
    WatchFault("cut", 25),
    WatchFault("cut", 25),
    WatchFault("stall", 15),
    WatchFault("500"),
    WatchFault("gone", 15),
    WatchFault("410"),
]
Seen = tuple[str, str, str]


def _direct(server: FakeServer) -> Client:
    return Client(Config(server.url, token=server.token, ca_file=server.ca_file))


def _through(server: FakeServer, proxy: FaultProxy) -> Config:
    return Config(proxy.url, token=server.token)


def _write(server: FakeServer, seed: int) -> None:
    rng = random.Random(seed)
    with _direct(server) as kube:
        maps = kube.core_v1.configmaps()
        for i in range(OPS):
            name, roll = rng.choice(NAMES), rng.random()
            try:
                if roll < 0.4:
                    maps.create(ConfigMap(metadata=ObjectMeta(name=name), data={"v": str(i)}))
                elif roll < 0.8:
                    maps.patch(name, {"data": {"v": f"{seed}-{i}"}})
                else:
                    maps.delete(name)
            except (AlreadyExists, NotFound):
                pass


def _writers(server: FakeServer, proxies: list[FaultProxy]) -> None:
    """Four writers' random changes; then changes to one object until every planned fault has
    happened (each waits for the watch request that follows it); then the sentinel object
    the consumers stop at."""
    threads = [threading.Thread(target=_write, args=(server, seed)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with _direct(server) as kube:
        maps = kube.core_v1.configmaps()
        maps.create(ConfigMap(metadata=ObjectMeta(name="nudge")))
        for i in range(100):
            if not any(p.plan.watch for p in proxies):
                break
            mark = server.request_count()
            maps.patch("nudge", {"data": {"i": str(i)}})
            with contextlib.suppress(TimeoutError):
                server.wait_for_request(
                    lambda s: s.query.get("watch") == "true", after=mark, timeout=2
                )
        maps.create(ConfigMap(metadata=ObjectMeta(name="sentinel")))


def _truth(server: FakeServer) -> dict[str, str]:
    with _direct(server) as kube:
        return {
            m.metadata.name or "": m.metadata.resource_version or ""
            for m in kube.core_v1.configmaps().list()
        }


class _Consumer:
    """Applies events to its own state, as a controller would; records what it saw."""

    def __init__(self) -> None:
        self.state: dict[str, str] = {}
        self.seen: list[Seen] = []
        self.done = threading.Event()

    def apply(self, kind: str, obj: ConfigMap) -> None:
        name, version = obj.metadata.name or "", obj.metadata.resource_version or ""
        self.seen.append((kind, name, version))
        if kind == "DELETED":
            self.state.pop(name, None)
        else:
            self.state[name] = version
        if name == "sentinel":
            self.done.set()


def _check(consumer: _Consumer, truth: dict[str, str], proxy: FaultProxy) -> None:
    assert proxy.plan.watch == [], f"faults not applied: {proxy.status()}"
    assert len(proxy.plan.applied) == len(FAULTS)
    assert consumer.state == truth
    assert len(consumer.seen) == len(set(consumer.seen)), "an event was delivered twice"
    assert {kind for kind, _, _ in consumer.seen} == {"ADDED", "MODIFIED", "DELETED"}


def test_watch_and_informer_survive_faults_and_match_the_server() -> None:
    with (
        FakeServer(watch_window=5000) as server,
        FaultProxy(server) as one,
        FaultProxy(server) as two,
    ):
        one.plan.watch, two.plan.watch = list(FAULTS), list(FAULTS)
        watcher, handlers = _Consumer(), _Consumer()
        failures: list[BaseException] = []

        def watch() -> None:
            try:
                with Client(_through(server, one), timeout=Timeout(read=READ_TIMEOUT)) as kube:
                    for event in kube.core_v1.configmaps().watch():
                        watcher.apply(event.type, event.object)
                        if watcher.done.is_set():
                            return
            except BaseException as exc:  # noqa: BLE001 - asserted on below
                failures.append(exc)
                watcher.done.set()

        consumer = threading.Thread(target=watch)
        with Client(_through(server, two), timeout=Timeout(read=READ_TIMEOUT)) as kube:
            informer = kube.core_v1.configmaps().informer(
                on_add=lambda cm: handlers.apply("ADDED", cm),
                on_update=lambda old, cm: handlers.apply("MODIFIED", cm),
                on_delete=lambda cm: handlers.apply("DELETED", cm),
            )
            with informer:
                informer.wait_synced(timeout=30)
                consumer.start()
                _writers(server, [one, two])
                assert watcher.done.wait(60) and handlers.done.wait(60)
                consumer.join()
                truth = _truth(server)
                cached = {m.metadata.name: m.metadata.resource_version for m in informer.list()}
        assert failures == []
        _check(watcher, truth, one)
        _check(handlers, truth, two)
        assert cached == truth


def test_async_watch_and_informer_survive_faults_and_match_the_server() -> None:
    with (
        FakeServer(watch_window=5000) as server,
        FaultProxy(server) as one,
        FaultProxy(server) as two,
    ):
        one.plan.watch, two.plan.watch = list(FAULTS), list(FAULTS)
        watcher, handlers = _Consumer(), _Consumer()

        async def handler_add(cm: ConfigMap) -> None:
            handlers.apply("ADDED", cm)

        async def scenario() -> dict[str, str | None]:
            timeout = Timeout(read=READ_TIMEOUT)
            async with (
                AsyncClient(_through(server, one), timeout=timeout) as a,
                AsyncClient(_through(server, two), timeout=timeout) as b,
            ):
                informer = b.core_v1.configmaps().informer(
                    on_add=handler_add,
                    on_update=lambda old, cm: handlers.apply("MODIFIED", cm),
                    on_delete=lambda cm: handlers.apply("DELETED", cm),
                )
                async with informer:
                    await informer.wait_synced(timeout=30)

                    async def watch() -> None:
                        async for event in a.core_v1.configmaps().watch():
                            watcher.apply(event.type, event.object)
                            if watcher.done.is_set():
                                return

                    task = asyncio.create_task(watch())
                    await asyncio.to_thread(_writers, server, [one, two])
                    await asyncio.wait_for(task, 60)
                    while not handlers.done.is_set():
                        await asyncio.sleep(0.01)
                    return {
                        m.metadata.name or "": m.metadata.resource_version for m in informer.list()
                    }

        cached = asyncio.run(scenario())
        truth = _truth(server)
        _check(watcher, truth, one)
        _check(handlers, truth, two)
        assert cached == truth


def test_a_quiet_watch_outlives_three_read_timeouts_and_sees_the_next_change() -> None:
    with FakeServer(bookmark_interval=3600) as server, _direct(server) as direct:
        seen: list[Any] = []
        config = Config(server.url, token=server.token, ca_file=server.ca_file)
        with Client(config, timeout=Timeout(read=0.3)) as kube:
            maps = kube.core_v1.configmaps()
            mark = server.request_count()
            started = time.monotonic()

            def watch() -> None:
                for event in maps.watch():
                    seen.append(event)
                    return

            consumer = threading.Thread(target=watch)
            consumer.start()
            # Four watch requests: three streams ended by the read timeout, one still open.
            for _ in range(4):
                mark = server.wait_for_request(
                    lambda s: s.query.get("watch") == "true", after=mark
                ).number
            assert time.monotonic() - started >= 3 * 0.3
            direct.core_v1.configmaps().create(ConfigMap(metadata=ObjectMeta(name="late")))
            consumer.join(timeout=30)
        assert [(e.type, e.object.metadata.name) for e in seen] == [("ADDED", "late")]


def test_informer_resyncs_and_stops_its_threads() -> None:
    with FakeServer() as server, _direct(server) as kube:
        kube.core_v1.configmaps().create(ConfigMap(metadata=ObjectMeta(name="kept")))
        resynced = threading.Event()
        seen: list[tuple[str, str]] = []

        def on_update(old: ConfigMap, new: ConfigMap) -> None:
            seen.append((old.metadata.name or "", new.metadata.name or ""))
            if old is new:  # a resync hands the cached object as both
                resynced.set()

        before = {t.name for t in threading.enumerate()}
        with kube.core_v1.configmaps().informer(on_update=on_update, resync_period=0.2) as informer:
            informer.wait_synced(timeout=10)
            assert resynced.wait(10)
            assert {t.name for t in threading.enumerate()} - before == {
                "kubeapi-informer-watch",
                "kubeapi-informer-handlers",
            }
        assert seen[0] == ("kept", "kept")
        assert {t.name for t in threading.enumerate()} - before == set(), "threads stopped"


def test_retry_on_conflict_reruns_a_read_modify_write() -> None:
    with FakeServer() as server, _direct(server) as kube, _direct(server) as other:
        maps = kube.core_v1.configmaps()
        maps.create(ConfigMap(metadata=ObjectMeta(name="counter"), data={"n": "0"}))
        attempts: list[int] = []

        def increment() -> ConfigMap:
            current = maps.get("counter")
            if not attempts:  # someone else writes between our read and our write, once
                other.core_v1.configmaps().patch("counter", {"data": {"n": "10"}})
            attempts.append(1)
            current.data["n"] = str(int(current.data["n"]) + 1)
            return maps.replace(current)

        assert kube.retry_on_conflict(increment).data == {"n": "11"}
        assert len(attempts) == 2
