"""Figure 4: import time, as the wall time of a fresh `python -c IMPORT` subprocess.

PYTHONDONTWRITEBYTECODE is removed from the children's environment and every command runs once
untimed first, so .pyc files exist, as they do after a normal install. Commands are then
interleaved, rep by rep, and run from an empty directory with sys.executable.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from bench.common import NOT_INSTALLED, Check, Context, Row, Series, clean_env, installed, log

# (series key, module that must be installed, code)
_COMMANDS: list[tuple[str, str, str]] = [
    ("bare", "", "pass"),
    ("ours_pod", "kubeapi", "from kubeapi.core_v1 import Pod"),
    ("ours_client", "kubeapi", "from kubeapi import Client"),
    ("lightkube", "lightkube", "from lightkube.resources.core_v1 import Pod"),
    ("kubernetes", "kubernetes", "from kubernetes.client import V1Pod"),
    ("kr8s", "kr8s", "from kr8s.objects import Pod"),
]
_CHECK = Check("delta", 0.030, "other")


def _run(code: str, env: dict[str, str], cwd: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        return elapsed, (proc.stderr.strip().splitlines() or ["?"])[-1]
    return elapsed, ""


def figures(ctx: Context) -> list[Row]:
    reps = 3 if ctx.quick else 10
    log(f"imports: {len(_COMMANDS)} commands, {reps} fresh subprocesses each")
    env = clean_env()
    series = {key: Series() for key, _, _ in _COMMANDS}
    active: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="kubeforge-bench-") as cwd:
        for key, module, code in _COMMANDS:
            if module and not installed(module):
                series[key].fail(NOT_INSTALLED)
                continue
            _, error = _run(code, env, cwd)  # writes the .pyc files
            if error:
                series[key].fail(f"n/a (error: {error[:120]})")
                if key.startswith("ours"):
                    ctx.problem(f"`python -c {code!r}` failed: {error}")
                continue
            active.append((key, code))
        for _ in range(reps):
            for key, code in active:
                elapsed, error = _run(code, env, cwd)
                if error:
                    series[key].fail(f"n/a (error: {error[:120]})")
                else:
                    series[key].values.append(elapsed)
    rows = []
    for key, title in (
        ("ours_pod", "import: from kubeapi.core_v1 import Pod"),
        ("ours_client", "import: from kubeapi import Client"),
    ):
        rows.append(
            Row(
                "4a" if key == "ours_pod" else "4b",
                title,
                "s",
                ours=series[key],
                anchors={
                    "lightkube": series["lightkube"],
                    "kubernetes": series["kubernetes"],
                    "kr8s": series["kr8s"],
                    "other": series["bare"],
                },
                other_name="python -c pass",
                checks=[_CHECK],
            )
        )
    return rows
