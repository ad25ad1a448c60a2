"""Figure 6: the fake API server with the generated client: LIST throughput and watch fan-out.

The server runs as `kubeforge serve` in its own process (so its memory can be read from
/proc), filled over HTTP with realistic pods from bench.pods.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench import runtime
from bench.common import Check, Context, Row, clean_env, log
from bench.pods import pod_list


@contextmanager
def _server() -> Iterator[tuple[str, int]]:
    """`kubeforge serve` on a free port; yields its URL and process id.

    Plain HTTP (and so no authentication): the figures measure the server and the client,
    not TLS, as in the earlier runs recorded in BENCHMARKS.md.
    """
    command = [sys.executable, "-m", "kubeforge", "serve", "--insecure-http"]
    proc = subprocess.Popen(
        [*command, "--watch-window", "20000"],
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(PYTHONUNBUFFERED="1"),
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().strip()
        if not line.startswith("kubeforge: serving "):
            raise RuntimeError(f"kubeforge serve did not start: {line!r}")
        yield line.split()[-1], proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _rss(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _fill(url: str, count: int) -> None:
    pods = pod_list(count, seed=3)["items"]
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        gate = asyncio.Semaphore(16)

        async def create(pod: dict[str, object]) -> None:
            meta = pod["metadata"]
            assert isinstance(meta, dict)
            for key in (
                "uid",
                "resourceVersion",
                "creationTimestamp",
                "managedFields",
                "ownerReferences",
            ):
                meta.pop(key, None)
            meta["namespace"] = "default"
            async with gate:
                answer = await http.post(
                    "/api/v1/namespaces/default/pods",
                    json=pod,
                    params={"fieldValidation": "Ignore"},
                )
                answer.raise_for_status()

        await asyncio.gather(*(create(p) for p in pods))


def _list_rows(ctx: Context, url: str, count: int) -> list[Row]:
    from kubeapi import Client, Config
    from kubeapi.core_v1 import PodList

    whole = Row(
        "6a",
        f"LIST {count:,} pods through the fake server + client reads",
        "s",
        other_name="client decode of the same body",
        checks=[Check("ratio", 3.0, "other")],
    )
    per_object = Row("6b", f"server + transfer time per object (LIST {count:,})", "s")
    with Client(Config(url)) as kube:
        pods = kube.core_v1.pods("default")
        body = kube.request("GET", "/api/v1/namespaces/default/pods")
        for _ in range(ctx.reps):
            start = time.perf_counter()
            listed = pods.list()
            reads = [(p.metadata.name, p.spec.containers[0].image, p.status.phase) for p in listed]
            whole.ours.values.append(time.perf_counter() - start)
            per_object.ours.values.append(whole.ours.values[-1] / count)
            start = time.perf_counter()
            decoded = PodList.from_json(body)
            again = [(p.metadata.name, p.spec.containers[0].image, p.status.phase) for p in decoded]
            whole.anchors.setdefault("other", type(whole.ours)()).values.append(
                time.perf_counter() - start
            )
            if reads != again or len(reads) != count:
                ctx.problem(
                    f"LIST of {count} pods: reads differ between the client and its own decode"
                )
    return [whole, per_object]


async def _fan_out(url: str, pid: int, watchers: int, events: int) -> tuple[float, int]:
    """(events delivered per second, server bytes held per idle watcher)."""
    limits = httpx.Limits(max_connections=watchers + 8, max_keepalive_connections=watchers + 8)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        rv = (await http.get("/api/v1/namespaces/default/configmaps")).json()["metadata"][
            "resourceVersion"
        ]
        before = _rss(pid)
        ready = asyncio.Event()
        connected = 0

        async def watch() -> int:
            nonlocal connected
            seen = 0
            params = {"watch": "true", "resourceVersion": rv, "timeoutSeconds": "300"}
            async with http.stream(
                "GET", "/api/v1/namespaces/default/configmaps", params=params
            ) as stream:
                connected += 1
                if connected == watchers:
                    ready.set()
                async for line in stream.aiter_lines():
                    if line:
                        seen += 1
                        if seen == events:
                            return seen
            return seen

        tasks = [asyncio.create_task(watch()) for _ in range(watchers)]
        await asyncio.wait_for(ready.wait(), 60)
        await asyncio.sleep(0.5)
        held = (_rss(pid) - before) // watchers
        start = time.perf_counter()
        gate = asyncio.Semaphore(8)

        async def write(i: int) -> None:
            async with gate:
                await http.post(
                    "/api/v1/namespaces/default/configmaps",
                    json={"metadata": {"name": f"cm-{i}"}, "data": {"i": str(i)}},
                )

        await asyncio.gather(*(write(i) for i in range(events)))
        seen = await asyncio.wait_for(asyncio.gather(*tasks), 300)
        elapsed = time.perf_counter() - start
        if set(seen) != {events}:
            raise RuntimeError(f"watchers saw {sorted(set(seen))} events, expected {events}")
        return watchers * events / elapsed, held


def figures(ctx: Context) -> list[Row]:
    count = 1000 if ctx.quick else 10000
    watchers, events = (10, 200) if ctx.quick else (100, 10000)
    rows: list[Row] = []
    with _server() as (url, pid):
        log(f"server: filling {count} pods")
        asyncio.run(_fill(url, count))
        rows += _list_rows(ctx, url, count)
        rows += runtime.figures(ctx, url, count)
        log(f"server: {watchers} watchers x {events} events")
        rate, held = asyncio.run(_fan_out(url, pid, watchers, events))
    fan = Row(
        "6c",
        f"watch fan-out: {watchers} watchers, {events:,} events",
        "text",
        text=f"{rate:,.0f} events/s delivered",
    )
    memory = Row("6d", f"server memory per idle watcher ({watchers} watchers)", "B")
    memory.ours.values.append(float(held))

    return [*rows, fan, memory]
