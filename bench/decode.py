"""Figures 1 and 2: decode a PodList and read three fields per pod, then encode it back.

All variants run in this process, interleaved (A, B, C, A, B, C, ...); each rep starts from
gc.collect() and is timed with time.perf_counter. The encode of a rep reuses what its decode
kept, so our to_json sees a partly decoded list, as it would after the reads in real code.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import Any

from bench.common import NOT_INSTALLED, Check, Context, Row, Series, installed, log, short_error
from bench.pods import pod_list_body
from bench.variants import VARIANTS, Reads, Variant, run_decode

QUICK_SKIPPED = "n/a (skipped in --quick)"
DECODE_CHECKS = [
    Check("ratio", 0.5, "lightkube", stretch=0.35),
    Check("ratio", 2.0, "orjson"),
]
ENCODE_CHECKS = [Check("ratio", 1.2, "orjson")]


def _loads() -> Callable[[bytes], Any]:
    try:
        import orjson
    except ImportError:
        return json.loads
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


def _expected(body: bytes) -> Reads:
    doc = _loads()(body)
    return [
        (p["metadata"]["name"], p["spec"]["containers"][0]["image"], p["status"]["phase"])
        for p in doc["items"]
    ]


def _row_pair(count: int, checked: bool) -> tuple[Row, Row]:
    """The rows for one list size; the targets are stated for 5,000 pods and judged there."""
    decode = Row(
        "",
        f"decode + read 3 fields, {count:,} pods (gc on)",
        "s",
        checks=list(DECODE_CHECKS) if checked else [],
    )
    encode = Row(
        "",
        f"encode back to JSON, {count:,} pods",
        "s",
        checks=list(ENCODE_CHECKS) if checked else [],
    )
    return decode, encode


def _series(row: Row, key: str) -> Series:
    return row.ours if key == "ours" else row.anchors.setdefault(key, Series())


def _warm_up(variant: Variant) -> str:
    """Import the library and fill its caches on a tiny body; an error message if it fails."""
    try:
        run_decode(variant, pod_list_body(3, seed=7))
    except Exception as exc:
        return f"n/a (error: {short_error(exc)})"
    return ""


def _check_round_trip(ctx: Context, body: bytes, kept: Any, count: int) -> None:
    try:
        loads = _loads()
        same = loads(VARIANTS["ours"].encode(kept)) == loads(body)
    except Exception as exc:
        ctx.problem(f"PodList.to_json() after reads failed at {count} pods: {short_error(exc)}")
        return
    if not same:
        ctx.problem(f"PodList.to_json() after reads is not lossless at {count} pods")


def _measure(
    ctx: Context, count: int, decode: Row, encode: Row, skipped: tuple[str, ...] = ()
) -> None:
    body = pod_list_body(count)
    expected = _expected(body)
    log(f"decode/encode: {count} pods, body {len(body) / 1e6:.1f} MB, {ctx.reps} reps")
    active: list[Variant] = []
    for key, variant in VARIANTS.items():
        reason = "" if installed(variant.module) else NOT_INSTALLED
        reason = reason or (QUICK_SKIPPED if key in skipped else "") or _warm_up(variant)
        if reason:
            if key == "ours":
                ctx.problem(f"decoding with kubeapi failed in warm-up: {reason}")
            _series(decode, key).fail(reason)
            _series(encode, key).fail(reason)
        else:
            active.append(variant)
    for rep in range(ctx.reps):
        for variant in list(active):
            key = variant.key
            try:
                gc.collect()
                start = time.perf_counter()
                kept, reads = run_decode(variant, body)
                decoded = time.perf_counter()
                gc.collect()
                begin = time.perf_counter()
                variant.encode(kept)
                encoded = time.perf_counter()
            except Exception as exc:
                reason = f"n/a (error: {short_error(exc)})"
                if key == "ours":
                    ctx.problem(f"kubeapi decode/encode of {count} pods raised {short_error(exc)}")
                _series(decode, key).fail(reason)
                _series(encode, key).fail(reason)
                active.remove(variant)
                continue
            _series(decode, key).values.append(decoded - start)
            _series(encode, key).values.append(encoded - begin)
            if rep == 0:
                if reads != expected:
                    ctx.problem(f"{key}: reads of {count} pods differ from the body's values")
                if key == "ours":
                    _check_round_trip(ctx, body, kept, count)
            del kept, reads
    gc.collect()


def figures(ctx: Context) -> list[Row]:
    """Full: 5,000 pods (judged) and 500. Quick: 5,000 pods, judged too, one rep, without the
    two anchors that take seconds each (the targets name lightkube and orjson)."""
    sizes = (5000,) if ctx.quick else (5000, 500)
    slow = ("kubernetes", "kr8s") if ctx.quick else ()
    decodes: list[Row] = []
    encodes: list[Row] = []
    for count in sizes:
        decode, encode = _row_pair(count, checked=count == 5000)
        _measure(ctx, count, decode, encode, slow)
        decodes.append(decode)
        encodes.append(encode)
    for i, row in enumerate(decodes):
        row.key = f"1{'ab'[i]}"
    for i, row in enumerate(encodes):
        row.key = f"2{'ab'[i]}"
    return decodes + encodes
