"""Figure 5: `kubeforge generate` from the bundled spec, cold, warm and --check, against
openapi-generator's python generator on the same spec; 5h/5i, a big set of CRD manifests.

Each rep uses a fresh KUBEFORGE_CACHE_DIR and fresh output directories. Cold runs with
--no-cache; a second cold run fills the empty cache; warm runs again with that cache into a new
directory; --check compares against the warm output. Every run is a child process timed with
time.perf_counter and reaped with os.wait4, whose ru_maxrss is the largest resident set of the
child and of the processes it waited for (kubeforge's validation worker, the JVM).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import crds
from bench.common import REPO, Check, Context, Row, Series, clean_env, log

SPEC_GZ = REPO / "generator" / "data" / "kubernetes-1.36.json.gz"


@dataclass(frozen=True)
class Run:
    seconds: float
    maxrss: int
    code: int
    error: str


def _launch(cmd: list[str]) -> None:
    """Run `cmd` and print its Run as JSON: the body of the small launcher process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        code = proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
    run = Run(seconds, usage.ru_maxrss * 1024, code, lines[-1] if lines else "")
    print(json.dumps(dataclasses.asdict(run)))


def _measured(cmd: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Time `cmd` and take its peak RSS through a launcher process.

    A child's ru_maxrss starts at the resident size of the process it was spawned from (Linux
    carries the parent's high-water mark over fork and exec), so a child of this harness, which
    held large decoded lists, would report the harness's peak. The launcher is small.
    """
    launcher = [sys.executable, "-m", "bench.generation", *cmd]
    proc = subprocess.run(launcher, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return Run(0.0, 0, proc.returncode, f"launcher failed: {tail}")
    return Run(**json.loads(proc.stdout))


def _kubeforge() -> list[str]:
    script = Path(sys.executable).parent / "kubeforge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kubeforge"]


def _openapi_generator() -> tuple[list[str], str]:
    """The openapi-generator-cli command, or why it cannot run."""
    script = Path(sys.executable).parent / "openapi-generator-cli"
    found = str(script) if script.exists() else shutil.which("openapi-generator-cli")
    if not found:
        return [], "n/a (not installed)"
    if not shutil.which("java"):
        return [], "n/a (java not found)"
    return [found], ""


def _tree(root: Path) -> tuple[int, int, str]:
    """Files, lines and a digest of every path and content under root."""
    files = lines = 0
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files += 1
        lines += data.count(b"\n")
        digest.update(str(path.relative_to(root)).encode() + b"\0" + data)
    return files, lines, digest.hexdigest()


def _rows(quick: bool) -> dict[str, Row]:
    cold = "cold (empty cache, fills it)" if quick else "cold (--no-cache)"
    rows = {
        "cold": Row(
            "5a",
            f"generate: {cold}",
            "s",
            other_name="openapi-generator",
            checks=[Check("ratio", 1.0, "other", stretch=0.7)],
        ),
        "warm": Row("5c", "generate: warm (cache filled)", "s", checks=[Check("absolute", 3.0)]),
        "check": Row("5d", "generate --check on warm output", "s", checks=[Check("absolute", 3.0)]),
        "rss": Row("5e", f"generate: peak RSS, {cold}", "B", other_name="openapi-generator"),
        "size": Row("5f", "generate: output size", "text", other_name="openapi-generator"),
    }
    if not quick:
        rows["fill"] = Row("5b", "generate: cold (empty cache, fills it)", "s")
    return rows


def _fail(ctx: Context, what: str, run: Run) -> str:
    ctx.problem(f"kubeforge {what} exited {run.code}: {run.error}")
    return f"n/a (exit {run.code})"


def figures(ctx: Context) -> list[Row]:
    rows = _rows(ctx.quick)
    cold, rss, size = rows["cold"], rows["rss"], rows["size"]
    for key in ("cold", "rss"):
        rows[key].anchors["other"] = Series()
    tool, reason = _openapi_generator()
    if reason:
        cold.anchors["other"].fail(reason)
        rss.anchors["other"].fail(reason)
        size.anchor_text["other"] = reason
    reps = 1 if ctx.quick else ctx.reps
    kubeforge = _kubeforge()
    log(f"generation: {reps} rep(s), openapi-generator {'skipped' if reason else 'included'}")
    with tempfile.TemporaryDirectory(prefix="kubeforge-bench-") as tmp_name:
        tmp = Path(tmp_name)
        warm_env = clean_env()
        warm_up = "import kubeforge.cli, kubeforge.pipeline, kubeforge.render, kubeforge.format"
        subprocess.run([sys.executable, "-c", warm_up], env=warm_env, check=False)
        spec = tmp / "kubernetes.json"
        if not reason:
            spec.write_bytes(gzip.decompress(SPEC_GZ.read_bytes()))
        pairs: list[float] = []
        for rep in range(reps):
            base = tmp / f"rep{rep}"
            env = clean_env(KUBEFORGE_CACHE_DIR=str(base / "cache"))
            gen = [*kubeforge, "generate", "--quiet", "--out"]
            if not ctx.quick:
                run = _measured([*gen, str(base / "cold"), "--no-cache"], env, tmp)
                if run.code:
                    cold.ours.fail(_fail(ctx, "generate --no-cache", run))
                    rss.ours.fail(cold.ours.missing)
                    break
                cold.ours.values.append(run.seconds)
                rss.ours.values.append(run.maxrss)
            if not reason:
                out = base / "openapi-generator"
                cmd = [*tool, "generate", "-i", str(spec), "-g", "python"]
                run = _measured([*cmd, "--skip-validate-spec", "-o", str(out)], clean_env(), tmp)
                if run.code:
                    reason = f"n/a (exit {run.code})"
                    cold.anchors["other"].fail(reason)
                    rss.anchors["other"].fail(reason)
                    size.anchor_text["other"] = reason
                else:
                    cold.anchors["other"].values.append(run.seconds)
                    if cold.ours.values and len(cold.ours.values) == rep + 1:
                        pairs.append(cold.ours.values[-1] / run.seconds)
                    rss.anchors["other"].values.append(run.maxrss)
                    if rep == 0:
                        files, lines, _ = _tree(out)
                        size.anchor_text["other"] = f"{files:,} files, {lines:,} lines"
                shutil.rmtree(out, ignore_errors=True)
            run = _measured([*gen, str(base / "fill")], env, tmp)
            fill = rows["cold"] if ctx.quick else rows["fill"]
            if run.code:
                fill.ours.fail(_fail(ctx, "generate (empty cache)", run))
                break
            fill.ours.values.append(run.seconds)
            if ctx.quick:
                rss.ours.values.append(run.maxrss)
            run = _measured([*gen, str(base / "warm")], env, tmp)
            if run.code:
                rows["warm"].ours.fail(_fail(ctx, "generate (warm)", run))
                break
            rows["warm"].ours.values.append(run.seconds)
            run = _measured([*gen, str(base / "warm"), "--check"], env, tmp)
            if run.code:
                rows["check"].ours.fail(_fail(ctx, "generate --check on its own output", run))
            else:
                rows["check"].ours.values.append(run.seconds)
            if rep == 0:
                files, lines, warm_digest = _tree(base / "warm")
                size.text = f"{files:,} files, {lines:,} lines"
                first = base / ("fill" if ctx.quick else "cold")
                if _tree(first)[2] != warm_digest:
                    ctx.problem(f"kubeforge output differs between {first.name} and warm runs")
            shutil.rmtree(base, ignore_errors=True)
        fixtures = [] if ctx.quick else _fixtures(ctx, tool, reason, kubeforge, tmp)
        crd_rows = _crd_set(ctx, kubeforge, tmp)
    if pairs:
        text = ", ".join(f"{r:.2f}" for r in pairs)
        ctx.notes.append(
            f"5a ours/openapi-generator per rep (back-to-back pairs): {text}; "
            f"median {statistics.median(pairs):.2f}"
        )
    order = ["cold", "fill", "warm", "check", "rss", "size"]
    return [rows[k] for k in order if k in rows] + fixtures + crd_rows


# Issue 11's goal for a big CRD set, on a 2-core machine.
CRD_COUNT, CRD_COLD, CRD_WARM = 50, 10.0, 2.0


def _crd_set(ctx: Context, kubeforge: list[str], tmp: Path) -> list[Row]:
    """Figure 5h: `generate --crd DIR` for bench.crds' set of realistic manifests (~8 MB):
    cold (an empty cache, which it fills) and warm (that cache, a new output directory).
    --quick generates a fifth of the set, with no target."""
    count = CRD_COUNT // 5 if ctx.quick else CRD_COUNT
    manifests = tmp / "crds"
    size = sum(p.stat().st_size for p in crds.write(manifests, count))
    what = f"generate --crd: {count} CRDs, {size / 2**20:.1f} MiB of YAML"
    cold = Row("5h", f"{what}, cold (empty cache)", "s")
    warm = Row("5i", f"{what}, warm", "s")
    if not ctx.quick:
        cold.checks.append(Check("absolute", CRD_COLD))
        warm.checks.append(Check("absolute", CRD_WARM))
    log(f"generation: {what}, {1 if ctx.quick else min(ctx.reps, 3)} rep(s)")
    for rep in range(1 if ctx.quick else min(ctx.reps, 3)):
        base = tmp / f"crd-set-{rep}"
        env = clean_env(KUBEFORGE_CACHE_DIR=str(base / "cache"))
        gen = [*kubeforge, "generate", "--quiet", "--crd", str(manifests), "--out"]
        for row, out in ((cold, "cold"), (warm, "warm")):
            run = _measured([*gen, str(base / out)], env, tmp)
            if run.code:
                row.ours.fail(_fail(ctx, f"generate --crd ({out})", run))
                return [cold, warm]
            row.ours.values.append(run.seconds)
        if _tree(base / "cold")[2] != _tree(base / "warm")[2]:
            ctx.problem("kubeforge --crd output differs between cold and warm runs")
        shutil.rmtree(base, ignore_errors=True)
    return [cold, warm]


# The odd shapes of the real-specs issue, each in a small spec of its own (tests/specs/).
FIXTURES = REPO / "tests" / "specs"


def _fixtures(
    ctx: Context, tool: list[str], reason: str, kubeforge: list[str], tmp: Path
) -> list[Row]:
    """Figure 5g: each fixture spec generated cold (--no-cache) against openapi-generator on
    the same file, back to back; the target is the same as 5a's, per spec."""
    rows = []
    for n, spec in enumerate(sorted(FIXTURES.glob("*.json"))):
        row = Row(
            f"5g{chr(ord('a') + n)}",
            f"generate {spec.name}: cold (--no-cache)",
            "s",
            other_name="openapi-generator",
            checks=[Check("ratio", 1.0, "other")],
        )
        row.anchors["other"] = Series()
        if reason:
            row.anchors["other"].fail(reason)
        for rep in range(min(ctx.reps, 3)):
            base = tmp / f"fixture-{spec.stem}-{rep}"
            env = clean_env(KUBEFORGE_CACHE_DIR=str(base / "cache"))
            gen = [*kubeforge, "generate", "--quiet", "--no-cache", "--lenient", "--spec"]
            run = _measured([*gen, str(spec), "--out", str(base / "ours")], env, tmp)
            if run.code:
                row.ours.fail(_fail(ctx, f"generate {spec.name}", run))
                break
            row.ours.values.append(run.seconds)
            if not row.anchors["other"].missing:
                cmd = [*tool, "generate", "-i", str(spec), "-g", "python", "--skip-validate-spec"]
                run = _measured([*cmd, "-o", str(base / "other")], clean_env(), tmp)
                if run.code:
                    row.anchors["other"].fail(f"n/a (exit {run.code})")
                else:
                    row.anchors["other"].values.append(run.seconds)
            shutil.rmtree(base, ignore_errors=True)
        rows.append(row)
    return rows


if __name__ == "__main__":
    _launch(sys.argv[1:])
