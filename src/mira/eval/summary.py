"""The numbers of a run: success rate overall and per site, Pass@k, steps, milestones, tokens, cost."""

from __future__ import annotations

from collections import defaultdict
from math import comb
from typing import Any

PAPER_COLUMNS: dict[str, tuple[str, ...]] = {"webarena-lite": ("Reddit", "Gitlab", "CMS", "Map", "OSS")}
"""Suites whose papers report fixed site columns (Table 3 of the MiRA paper), always shown in this order."""
AVG = "Avg"
"""The column holding the average over all tasks (every site, `multi` included), as the paper's table."""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased Pass@k from n samples of which c succeeded (Chen et al. 2021): 1 - C(n-c, k) / C(n, k)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass_at_k needs 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def _rate(xs: list[bool]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def site_key(rec: dict[str, Any], mixed: bool) -> str:
    site = str(rec.get("site") or "-")
    return f"{rec.get('suite', '?')}:{site}" if mixed else site


def by_site(records: list[dict[str, Any]]) -> dict[str, float | None]:
    """Site -> success rate over its episodes; the paper's columns first (None when no task ran), then Avg."""
    suites = {str(r.get("suite", "")) for r in records}
    mixed = len(suites) > 1
    groups: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        groups[site_key(r, mixed)].append(bool(r["success"]))
    out: dict[str, float | None] = {}
    columns = PAPER_COLUMNS.get(next(iter(suites)), ()) if len(suites) == 1 else ()
    for col in columns:
        out[col] = round(_rate(groups.pop(col)), 4) if col in groups else None
    for site in sorted(groups):
        out[site] = round(_rate(groups[site]), 4)
    if columns:
        out[AVG] = round(_rate([bool(r["success"]) for r in records]), 4)
    return out


def pass_at_ks(records: list[dict[str, Any]]) -> dict[str, float]:
    """Pass@k for k = 1, 2, 4, ... up to the fewest samples any task has (and that count itself)."""
    per_task: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        per_task[f"{r.get('suite', '')}/{r['task_id']}"].append(bool(r["success"]))
    if not per_task:
        return {}
    n_min = min(len(v) for v in per_task.values())
    ks = sorted({k for k in (1, 2, 4, 8, 16, 32, 64) if k <= n_min} | {n_min})
    return {str(k): round(sum(pass_at_k(len(v), sum(v), k) for v in per_task.values()) / len(per_task), 4) for k in ks}


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary.json object of a run's records."""
    n = len(records)
    totals = [int(r.get("milestones_total") or 0) for r in records]
    fracs = [int(r.get("milestones_reached") or 0) / t for r, t in zip(records, totals, strict=True) if t > 0]
    samples = max((int(r["sample"]) for r in records), default=-1) + 1
    out: dict[str, Any] = {
        "n": n,
        "tasks": len({(r.get("suite"), r["task_id"]) for r in records}),
        "samples": samples,
        "success_rate": round(_rate([bool(r["success"]) for r in records]), 4),
        "by_site": by_site(records),
        "avg_steps": round(sum(int(r.get("steps") or 0) for r in records) / n, 2) if n else 0.0,
        "milestones_reached": round(sum(fracs) / len(fracs), 4) if fracs else None,
        "tokens": int(sum(int(r.get("tokens") or 0) for r in records)),
        "cost": round(sum(float(r.get("cost") or 0.0) for r in records), 6),
        "exit_reasons": dict(sorted(_count(str(r.get("exit_reason", "")) for r in records).items())),
    }
    if samples > 1:
        out["pass_at_k"] = pass_at_ks(records)
    return out


def _count(xs: Any) -> dict[str, int]:
    c: dict[str, int] = defaultdict(int)
    for x in xs:
        c[x] += 1
    return dict(c)


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def format_table(summary: dict[str, Any], title: str = "") -> str:
    """A plain-text table for the terminal: per-site success (%) and the headline numbers."""
    sites = summary["by_site"]
    width = max([len(s) for s in sites] + [12])
    lines = [title] if title else []
    lines.append(f"{'site':<{width}}  success %")
    lines += [f"{site:<{width}}  {pct(rate):>9}" for site, rate in sites.items()]
    lines.append(f"{'overall':<{width}}  {pct(summary['success_rate']):>9}   (n={summary['n']} episodes)")
    for k, v in summary.get("pass_at_k", {}).items():
        lines.append(f"{'pass@' + k:<{width}}  {pct(v):>9}")
    ms = summary["milestones_reached"]
    lines.append(f"avg steps {summary['avg_steps']:g} | milestones reached {pct(ms)}% | "
                 f"tokens {summary['tokens']:,} | cost ${summary['cost']:.4f}")
    return "\n".join(lines)
