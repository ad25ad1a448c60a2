"""The Markdown table, and results.json / results.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import ANCHORS, DASH, TIMES, Check, Row, Series

HEADERS = [
    "#",
    "figure",
    "ours (median)",
    f"ours min{DASH}max",
    *ANCHORS.values(),
    "ratio",
    "target",
    "status",
]


def _scale(unit: str, value: float) -> tuple[float, str]:
    if unit == "B":
        return (value / 2**10, "KiB") if abs(value) < 2**20 else (value / 2**20, "MiB")
    if abs(value) < 0.001:
        return value * 1e6, "µs"
    if abs(value) < 1.0:
        return value * 1000, "ms"
    return value, "s"


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 100 else f"{value:,.0f}"


def fmt(unit: str, value: float) -> str:
    scaled, name = _scale(unit, value)
    return f"{_number(scaled)} {name}"


def _range(unit: str, series: Series) -> str:
    scaled_high, name = _scale(unit, series.high)
    factor = scaled_high / series.high if series.high else 1.0
    return f"{_number(series.low * factor)}{DASH}{_number(scaled_high)} {name}"


def _cell(row: Row, key: str) -> str:
    if key in row.anchor_text:
        value = row.anchor_text[key]
    elif key not in row.anchors:
        return "\u2014"
    else:
        series = row.anchors[key]
        value = fmt(row.unit, series.median) if series.ok else series.missing
    return f"{row.other_name}: {value}" if key == "other" and row.other_name else value


def _anchor_name(row: Row, key: str) -> str:
    return row.other_name if key == "other" else ANCHORS[key].split(" ")[0]


def _limit(row: Row, check: Check) -> str:
    name = _anchor_name(row, check.anchor) if check.anchor else ""
    if check.kind == "ratio":
        text = f"\u2264 {check.limit:g}{TIMES} {name}"
        if check.stretch is not None:
            text += f" (stretch {check.stretch:g}{TIMES})"
        return text
    if check.kind == "delta":
        return f"\u2264 {fmt(row.unit, check.limit)} above {name}"
    return f"\u2264 {fmt(row.unit, check.limit)}"


def evaluate(row: Row, check: Check) -> tuple[str, str, bool | None]:
    """Ratio text, status text, and met (None when it cannot be judged)."""
    name = _anchor_name(row, check.anchor) if check.anchor else ""
    if not row.ours.ok:
        return "n/a", f"n/a (ours: {row.ours.missing})", None
    ours = row.ours.median
    if check.kind == "absolute":
        met = ours <= check.limit
        return fmt(row.unit, ours), "met" if met else "NOT met", met
    anchor = row.anchors.get(check.anchor, Series(missing="n/a"))
    if not anchor.ok:
        return "n/a", f"n/a ({name} {anchor.missing.removeprefix('n/a ').strip('()')})", None
    if check.kind == "delta":
        delta = ours - anchor.median
        met = delta <= check.limit
        sign = "+" if delta >= 0 else "-"
        return f"{sign}{fmt(row.unit, abs(delta))} vs {name}", "met" if met else "NOT met", met
    ratio = ours / anchor.median
    met = ratio <= check.limit
    status = "met" if met else "NOT met"
    if met and check.stretch is not None:
        status += " (stretch met)" if ratio <= check.stretch else " (stretch not met)"
    return f"{ratio:.2f}{TIMES} {name}", status, met


def cells(row: Row) -> list[str]:
    if row.unit == "text":
        ours, spread = row.text or "\u2014", "\u2014"
    elif row.ours.ok:
        ours, spread = fmt(row.unit, row.ours.median), _range(row.unit, row.ours)
    else:
        ours, spread = row.ours.missing, "\u2014"
    anchors = [_cell(row, key) for key in ANCHORS]
    judged = [evaluate(row, check) for check in row.checks]
    ratio = "; ".join(r for r, _, _ in judged) or "\u2014"
    target = "; ".join(_limit(row, c) for c in row.checks) or "\u2014"
    status = "; ".join(s for _, s, _ in judged) or "\u2014"
    return [row.key, row.title, ours, spread, *anchors, ratio, target, status]


def table(rows: list[Row]) -> str:
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" for _ in HEADERS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row)) + " |")
    return "\n".join(lines)


def not_met(rows: list[Row]) -> list[str]:
    """`key title: target` for every target that was judged and missed."""
    missed = []
    for row in rows:
        for check in row.checks:
            ratio, _, met = evaluate(row, check)
            if met is False:
                missed.append(f"{row.key} {row.title}: {ratio}, target {_limit(row, check)}")
    return missed


def _series_json(series: Series) -> dict[str, Any]:
    if not series.ok:
        return {"missing": series.missing}
    return {
        "median": series.median,
        "min": series.low,
        "max": series.high,
        "values": series.values,
    }


def _row_json(row: Row) -> dict[str, Any]:
    judged = [evaluate(row, check) for check in row.checks]
    return {
        "key": row.key,
        "title": row.title,
        "unit": row.unit,
        "ours": row.text if row.unit == "text" else _series_json(row.ours),
        "anchors": {
            (row.other_name if k == "other" else k): _series_json(s) for k, s in row.anchors.items()
        },
        "anchor_text": row.anchor_text,
        "targets": [
            {"target": _limit(row, c), "ratio": r, "status": s, "met": m}
            for c, (r, s, m) in zip(row.checks, judged, strict=True)
        ],
    }


def write(
    out: Path, rows: list[Row], meta: dict[str, Any], problems: list[str], notes: list[str]
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    doc = {**meta, "rows": [_row_json(r) for r in rows], "problems": problems, "notes": notes}
    (out / "results.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out / "results.md").write_text(markdown(rows, meta, problems, notes))


def markdown(rows: list[Row], meta: dict[str, Any], problems: list[str], notes: list[str]) -> str:
    parts = [f"# kubeforge benchmark ({meta['mode']}, {meta['date']})", ""]
    parts += [f"- {k}: {v}" for k, v in meta.items() if k not in ("mode", "date")]
    parts += ["", table(rows), ""]
    missed = not_met(rows)
    parts += ["Targets NOT met:" if missed else "All judged targets met."]
    parts += [f"- {m}" for m in missed]
    if problems:
        parts += ["", "Problems found:", *[f"- {p}" for p in problems]]
    if notes:
        parts += ["", "Notes:", *[f"- {n}" for n in notes]]
    return "\n".join(parts) + "\n"
