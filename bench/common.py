"""Shared pieces of the harness: measured series, rows with their targets, subprocess helpers."""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

REPO = Path(__file__).resolve().parent.parent
TIMES = "\u00d7"
DASH = "\u2013"

# Anchor columns of the table, in order, with the text used in headers.
ANCHORS: dict[str, str] = {
    "lightkube": "lightkube",
    "kubernetes": "kubernetes",
    "kr8s": "kr8s",
    "json": "json",
    "orjson": "orjson (floor)",
    "other": "other anchor",
}
NOT_INSTALLED = "n/a (not installed)"


@dataclass
class Series:
    """Repeated measurements of one variant, or why there are none."""

    values: list[float] = field(default_factory=list)
    missing: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.values) and not self.missing

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def fail(self, reason: str) -> None:
        """Give up on this series: it is shown as `reason` instead of numbers."""
        self.values.clear()
        self.missing = reason


Unit = Literal["s", "B", "text"]
CheckKind = Literal["ratio", "delta", "absolute"]


@dataclass(frozen=True)
class Check:
    """One target: ours / anchor <= limit, ours - anchor <= limit, or ours <= limit."""

    kind: CheckKind
    limit: float
    anchor: str = ""
    stretch: float | None = None


@dataclass
class Row:
    """One figure of the table."""

    key: str
    title: str
    unit: Unit
    ours: Series = field(default_factory=Series)
    anchors: dict[str, Series] = field(default_factory=dict)
    other_name: str = ""
    checks: list[Check] = field(default_factory=list)
    text: str = ""
    anchor_text: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    """What every figure needs to know about the run."""

    quick: bool
    reps: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        """A misbehaviour of kubeapi or kubeforge that the report must show."""
        self.problems.append(text)
        log(f"PROBLEM: {text}")


def log(text: str) -> None:
    """A progress line on stderr (stdout carries only the table)."""
    print(f"bench: {text}", file=sys.stderr, flush=True)


def installed(module: str) -> bool:
    """Whether `module` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: bytecode writing allowed, the repo importable."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + path if path else "")
    env.update(extra)
    return env


def short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 160 else text[:157] + "..."


def run_child(module: str, *args: str) -> tuple[dict[str, Any] | None, str]:
    """`python -m module args` in a fresh interpreter: (its JSON on stdout, "") or (None,
    the last line of its error)."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or ["?"])[-1]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result, ""
