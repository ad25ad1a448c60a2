"""`python -m bench [--quick] [--reps N] [--out DIR] [--only GROUP]`: run the figures, print the table."""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import decode, generation, imports, memory, report, server
from bench.common import REPO, Context, Row, log, short_error

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
PACKAGES = (
    "kubeforge",
    "lightkube",
    "kubernetes",
    "kr8s",
    "orjson",
    "msgspec",
    "openapi-generator-cli",
)


FIGURES: list[tuple[str, str, Callable[[Context], list[Row]]]] = [
    ("decode", "decode/encode", decode.figures),
    ("memory", "memory", memory.figures),
    ("imports", "imports", imports.figures),
    ("generation", "generation", generation.figures),
    ("server", "fake server and client runtime", server.figures),
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and 1 rep: a < 60 s smoke run for CI"
    )
    parser.add_argument("--reps", type=int, default=5, help="repetitions per variant (default 5)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="where results.json and results.md go"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[key for key, _, _ in FIGURES],
        help="run only this group of figures (repeatable; default: all)",
    )
    return parser


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _codec() -> str:
    try:
        from kubeapi._runtime import codec

        if not codec.NAME:
            codec.loads(b"{}")
        return str(codec.NAME)
    except Exception as exc:
        return f"unknown ({short_error(exc)})"


def _commit() -> str:
    """HEAD, and whether the work tree (bench/ aside) differs from it."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", ".", ":(exclude)bench")
    return f"{head} (+ uncommitted changes)" if dirty else head


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _meta(mode: str, reps: int, load: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "mode": mode,
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{os.cpu_count()} CPUs, {_cpu()}, {platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "commit": _commit(),
        "reps": reps,
        "load average at start": load,
        "load average at end": _load(),
        "kubeapi codec": _codec(),
    }
    meta.update({name: _version(name) for name in PACKAGES})
    return meta


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.reps < 1:
        _parser().error("--reps must be at least 1")
    reps = 1 if args.quick else args.reps
    ctx = Context(quick=args.quick, reps=reps)
    started, load = time.perf_counter(), _load()
    rows: list[Row] = []
    for key, name, figure in FIGURES:
        if args.only and key not in args.only:
            continue
        begin = time.perf_counter()
        try:
            rows += figure(ctx)
        except Exception as exc:  # a broken figure must not hide the others
            ctx.problem(f"figure {name} crashed: {short_error(exc)}")
        log(f"{name} done in {time.perf_counter() - begin:.1f} s")
    meta = _meta("quick" if args.quick else "full", reps, load)
    meta["wall time"] = f"{time.perf_counter() - started:.0f} s"
    print(report.table(rows))
    missed = report.not_met(rows)
    if missed:
        print("\nTargets NOT met:")
        print("\n".join(f"- {m}" for m in missed))
    if ctx.problems:
        print("\nProblems found:")
        print("\n".join(f"- {p}" for p in ctx.problems))
    if ctx.notes:
        print("\nNotes:")
        print("\n".join(f"- {n}" for n in ctx.notes))
    report.write(args.out, rows, meta, ctx.problems, ctx.notes)
    log(f"wrote {args.out / 'results.json'} and {args.out / 'results.md'} ({meta['wall time']})")
    return 1 if ctx.problems else 0


if __name__ == "__main__":
    sys.exit(main())
