"""Figure 3: memory of holding a decoded PodList, one fresh subprocess per variant and rep.

The child imports its library and decodes a 3-pod list first (so imports and caches are in the
baseline), reads the resident set size from /proc/self/statm, then reads the body from a file,
decodes it, does the reads, drops its own reference to the body and collects garbage. Held =
RSS now - baseline, while the decoded list is still referenced; the body counts only if the
decoded list keeps it alive. Peak = VmHWM from /proc/self/status - baseline, with VmHWM reset
at the baseline through /proc/self/clear_refs; it includes the body.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

from bench.common import NOT_INSTALLED, Check, Context, Row, Series, installed, log, run_child
from bench.pods import pod_list_body
from bench.variants import VARIANTS, run_decode

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def _reset_peak() -> None:
    """Start the peak (VmHWM) afresh at the current RSS; it starts at the parent's otherwise."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(key: str, path: str) -> None:
    variant = VARIANTS[key]
    run_decode(variant, pod_list_body(3, seed=7))
    gc.collect()
    base = _rss()
    _reset_peak()
    body = Path(path).read_bytes()
    kept, reads = run_decode(variant, body)
    del body
    gc.collect()
    held = _rss() - base
    peak = _peak() - base
    print(json.dumps({"held": held, "peak": max(peak, held), "pods": len(reads)}))
    del kept


def figures(ctx: Context) -> list[Row]:
    count = 500 if ctx.quick else 5000
    reps = min(ctx.reps, 3)
    held = Row(
        "3a",
        f"memory held by the decoded list, {count:,} pods (RSS delta)",
        "B",
        checks=[Check("ratio", 1.0, "json")],
    )
    peak = Row("3b", f"peak memory while decoding, {count:,} pods (RSS delta)", "B")
    log(f"memory: {count} pods, {reps} subprocess(es) per variant")
    with tempfile.TemporaryDirectory(prefix="kubeforge-bench-") as tmp:
        path = Path(tmp) / "podlist.json"
        path.write_bytes(pod_list_body(count))
        active: list[tuple[str, list[Series]]] = []
        for key, variant in VARIANTS.items():
            if key == "ours":
                series = [held.ours, peak.ours]
            else:
                series = [
                    held.anchors.setdefault(key, Series()),
                    peak.anchors.setdefault(key, Series()),
                ]
            if installed(variant.module):
                active.append((key, series))
            else:
                for s in series:
                    s.fail(NOT_INSTALLED)
        # A discarded first run per variant writes the .pyc files. A child that has to compile
        # its modules frees the compiler's memory before the baseline; the decode reuses it,
        # and the decoded list then looks nearly free (0.01x json in CI before this).
        for rep in range(reps + 1):
            for key, series in list(active):
                result, tail = run_child("bench.memory", key, str(path))
                if result is None:
                    if key == "ours":
                        ctx.problem(f"memory child for kubeapi failed: {tail}")
                    for s in series:
                        s.fail(f"n/a (error: {tail[:120]})")
                    active.remove((key, series))
                    continue
                if rep == 0:
                    continue
                series[0].values.append(float(result["held"]))
                series[1].values.append(float(result["peak"]))
    return [held, peak]


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
