"""Figure 7: the client runtime against `kubeforge serve` (filled by figure 6).

7a  one watcher receiving N ConfigMap events, each decoded to a typed object and read:
    kubeapi's watch() vs the official client's watch.Watch().stream and lightkube's watch.
7b  memory of an informer's synced cache of the server's realistic pods, against the same
    pods held as lightkube and official-client models (one fresh subprocess per variant).
7c  one GET with kubeapi's retry policy and rate limiter on, against a bare httpx GET.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.common import NOT_INSTALLED, Check, Context, Row, Series, installed, log, run_child

NAMESPACE = "default"


async def _events(url: str, count: int) -> str:
    """Make `count` ConfigMaps; returns the resourceVersion before them."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        path = f"/api/v1/namespaces/{NAMESPACE}/configmaps"
        before: str = (await http.get(path)).json()["metadata"]["resourceVersion"]
        gate = asyncio.Semaphore(16)

        async def create(i: int) -> None:
            async with gate:
                body = {
                    "metadata": {"name": f"w-{i}", "labels": {"i": str(i)}},
                    "data": {"i": str(i)},
                }
                (await http.post(path, json=body)).raise_for_status()

        await asyncio.gather(*(create(i) for i in range(count)))
        return before


def _ours(url: str, since: str, count: int) -> list[str]:
    from kubeapi import Client, Config

    names = []
    with Client(Config(url)) as kube:
        for event in kube.core_v1.configmaps(NAMESPACE).watch(resource_version=since):
            names.append(event.object.metadata.name)
            if len(names) == count:
                break
    return [n or "" for n in names]


def _official(url: str, since: str, count: int) -> list[str]:
    from kubernetes import client, watch

    configuration = client.Configuration()
    configuration.host = url
    with client.ApiClient(configuration) as api:
        v1 = client.CoreV1Api(api)
        names = []
        stream = watch.Watch().stream(
            v1.list_namespaced_config_map, NAMESPACE, resource_version=since, timeout_seconds=600
        )
        for event in stream:
            names.append(event["object"].metadata.name)
            if len(names) == count:
                break
    return names


def _lightkube_client(url: str) -> Any:
    from lightkube import Client
    from lightkube.config.kubeconfig import KubeConfig

    config = KubeConfig.from_dict(
        {
            "clusters": [{"name": "fake", "cluster": {"server": url}}],
            "users": [{"name": "anyone", "user": {}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "anyone"}}],
            "current-context": "fake",
        }
    )
    return Client(config=config, namespace=NAMESPACE)


def _lightkube(url: str, since: str, count: int) -> list[str]:
    from lightkube.resources.core_v1 import ConfigMap

    names = []
    client = _lightkube_client(url)
    for _op, obj in client.watch(ConfigMap, namespace=NAMESPACE, resource_version=since):
        assert obj.metadata is not None
        names.append(obj.metadata.name or "")
        if len(names) == count:
            break
    return names


WATCHERS: dict[str, tuple[str, Callable[[str, str, int], list[str]]]] = {
    "ours": ("kubeapi", _ours),
    "kubernetes": ("kubernetes", _official),
    "lightkube": ("lightkube", _lightkube),
}


def watch_row(ctx: Context, url: str, count: int) -> Row:
    row = Row(
        "7a",
        f"watch: one watcher, {count:,} ConfigMap events, typed and read",
        "s",
        checks=[Check("ratio", 0.5, "kubernetes"), Check("ratio", 1.0, "lightkube")],
    )
    since = asyncio.run(_events(url, count))
    expected = {f"w-{i}" for i in range(count)}
    active = []
    for key, (module, _run) in WATCHERS.items():
        series = row.ours if key == "ours" else row.anchors.setdefault(key, Series())
        if installed(module):
            active.append((key, series))
        else:
            series.fail(NOT_INSTALLED)
    for _ in range(ctx.reps):
        for key, series in active:
            gc.collect()
            start = time.perf_counter()
            names = WATCHERS[key][1](url, since, count)
            series.values.append(time.perf_counter() - start)
            if set(names) != expected:
                ctx.problem(f"{key}'s watch delivered other events than the {count} made")
    if row.ours.ok:
        ctx.notes.append(f"7a kubeapi: {count / row.ours.median:,.0f} events/s")
    return row


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _child(key: str, url: str) -> None:
    """Hold the namespace's pods as `key` does; print the resident memory they take."""
    if key == "ours":
        from kubeapi import Client, Config

        with Client(Config(url)) as kube:
            pods = kube.core_v1.pods(NAMESPACE)
            pods.list(limit=1)
            gc.collect()
            base = _rss()
            with pods.informer() as informer:
                informer.wait_synced(timeout=300)
                held = informer.list()
                gc.collect()
                print(json.dumps({"held": _rss() - base, "count": len(held)}))
    elif key == "lightkube":
        from lightkube.resources.core_v1 import Pod

        client = _lightkube_client(url)
        next(iter(client.list(Pod, namespace=NAMESPACE, chunk_size=1)))
        gc.collect()
        base = _rss()
        kept = list(client.list(Pod, namespace=NAMESPACE, chunk_size=500))
        gc.collect()
        print(json.dumps({"held": _rss() - base, "count": len(kept)}))
    else:
        from kubernetes import client

        configuration = client.Configuration()
        configuration.host = url
        with client.ApiClient(configuration) as api:
            v1 = client.CoreV1Api(api)
            v1.list_namespaced_pod(NAMESPACE, limit=1)
            gc.collect()
            base = _rss()
            kept = v1.list_namespaced_pod(NAMESPACE).items
            gc.collect()
            print(json.dumps({"held": _rss() - base, "count": len(kept)}))


def informer_row(ctx: Context, url: str, count: int) -> Row:
    row = Row(
        "7b",
        f"informer: memory of a synced cache of {count:,} pods (RSS delta)",
        "B",
        checks=[Check("ratio", 0.5, "lightkube")],
    )
    reps = min(ctx.reps, 3)
    for key, (module, _run) in WATCHERS.items():
        series = row.ours if key == "ours" else row.anchors.setdefault(key, Series())
        if not installed(module):
            series.fail(NOT_INSTALLED)
            continue
        for rep in range(reps + 1):  # the first run writes .pyc files and is not counted
            result, tail = run_child("bench.runtime", key, url)
            if result is None:
                if key == "ours":
                    ctx.problem(f"informer memory child failed: {tail}")
                series.fail(f"n/a (error: {tail[:120]})")
                break
            if result["count"] != count:
                ctx.problem(f"{key} held {result['count']} pods, not {count}")
            if rep:
                series.values.append(float(result["held"]))
    return row


def overhead_row(ctx: Context, url: str) -> Row:
    from kubeapi import Client, Config, RateLimit, Retry

    row = Row(
        "7c",
        "GET one object, retry policy and rate limiter on",
        "s",
        other_name="bare httpx GET",
        checks=[Check("ratio", 1.3, "other")],
    )
    bare = row.anchors.setdefault("other", Series())
    path = f"/api/v1/namespaces/{NAMESPACE}/configmaps/w-0"
    calls = 200 if ctx.quick else 1000
    limit = RateLimit(qps=1e6, burst=1_000_000)
    with (
        httpx.Client(base_url=url) as http,
        Client(Config(url), retry=Retry(), rate_limit=limit) as kube,
    ):
        maps = kube.core_v1.configmaps(NAMESPACE)
        for _ in range(20):  # warm both connections
            http.get(path).raise_for_status()
            maps.get("w-0")
        for _ in range(ctx.reps):
            ours, theirs = [], []
            for _ in range(calls):
                start = time.perf_counter()
                http.get(path).raise_for_status()
                middle = time.perf_counter()
                maps.get("w-0")
                ours.append(time.perf_counter() - middle)
                theirs.append(middle - start)
            row.ours.values.append(statistics.median(ours))
            bare.values.append(statistics.median(theirs))
    return row


def figures(ctx: Context, url: str, pods: int) -> list[Row]:
    events = 1000 if ctx.quick else 10000
    log(f"runtime: watch of {events} events, informer of {pods} pods, GET overhead")
    return [watch_row(ctx, url, events), informer_row(ctx, url, pods), overhead_row(ctx, url)]


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
