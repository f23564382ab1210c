"""Runs side by side: success per site and per task, with the difference to the first run."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mira.eval.runs import Run
from mira.eval.summary import pct, summarize


def task_rates(run: Run) -> dict[str, float]:
    """Task id -> success rate over its samples."""
    per: dict[str, list[bool]] = defaultdict(list)
    for r in run.records:
        per[str(r["task_id"])].append(bool(r["success"]))
    return {t: sum(v) / len(v) for t, v in per.items()}


def compare_runs(runs: list[Run]) -> dict[str, Any]:
    """{"runs", "notes", "overall", "by_site", "by_task"}: each row maps run name -> rate (None where absent),
    plus "diff" = last run minus first run where both have it."""
    if len(runs) < 2:
        raise ValueError("compare needs at least two run folders")
    names = _unique_names(runs)
    summaries = [summarize(r.records) for r in runs]
    notes = [f"{n}: {note}" for n, r in zip(names, runs, strict=True) for note in r.notes]
    suites = {s for r in runs for s in r.suites}
    if len(suites) > 1:
        notes.append(f"runs are on different suites ({', '.join(sorted(suites))}); rows present in one run only show '-'")
    sites = list(dict.fromkeys(s for summ in summaries for s in summ["by_site"]))
    tasks = sorted({t for r in runs for t in task_rates(r)})
    rates = [task_rates(r) for r in runs]
    return {
        "runs": names,
        "notes": notes,
        "overall": _row([s["success_rate"] for s in summaries]),
        "n": [s["n"] for s in summaries],
        "by_site": {site: _row([s["by_site"].get(site) for s in summaries]) for site in sites},
        "by_task": {t: _row([r.get(t) for r in rates]) for t in tasks},
    }


def _unique_names(runs: list[Run]) -> list[str]:
    names: list[str] = []
    for r in runs:
        name = r.name if r.name not in names else str(r.path)
        names.append(name if name not in names else f"{name}#{len(names)}")
    return names


def _row(values: list[float | None]) -> dict[str, Any]:
    first, last = values[0], values[-1]
    diff = None if first is None or last is None else round(last - first, 4)
    return {"values": values, "diff": diff}


def format_comparison(cmp: dict[str, Any]) -> str:
    """Plain-text tables: overall, per site, per task (success %, and the difference in points)."""
    names = cmp["runs"]
    w = max([len(n) for n in names] + [8])
    key_w = max([len(k) for k in (*cmp["by_site"], *cmp["by_task"])] + [10])

    def line(key: str, row: dict[str, Any]) -> str:
        cells = "".join(f"{pct(v):>{w + 2}}" for v in row["values"])
        d = row["diff"]
        return f"{key:<{key_w}}{cells}{'-' if d is None else f'{100 * d:+.1f}':>10}"

    head = f"{'':<{key_w}}" + "".join(f"{n:>{w + 2}}" for n in names) + f"{'diff':>10}"
    out = [f"note: {n}" for n in cmp["notes"]]
    out += ["success % by site (diff = last - first, in points)", head]
    out += [line(site, row) for site, row in cmp["by_site"].items()]
    out.append(line("overall", cmp["overall"]))
    out.append(f"{'episodes':<{key_w}}" + "".join(f"{n:>{w + 2}}" for n in cmp["n"]))
    out += ["", "success % by task", head]
    out += [line(t, row) for t, row in cmp["by_task"].items()]
    return "\n".join(out)
