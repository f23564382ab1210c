"""The demo's results: results.json, the paper-shaped table, failure modes, learning curves and the HTML report."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mira.eval.analysis import Analysis, analyze_run
from mira.eval.report import write_analysis
from mira.eval.runs import load_run
from mira.rollout import write_json_atomic
from mira.train import demo
from mira.train.config import load_config
from mira.train.demo import LONG_TASK_STEPS, METHODS, DemoConfig, mean_std

LABEL = {"base": "base (untrained)", "sft": "SFT (start)", "webrl": "WebRL", "mira": "MiRA"}


def _records(folder: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (Path(folder) / "results.jsonl").read_text().splitlines() if line.strip()]


def _rate(recs: list[dict[str, Any]]) -> float:
    return sum(bool(r["success"]) for r in recs) / len(recs) if recs else 0.0


def curves(jobs: list[dict[str, Any]], rollouts: int) -> dict[str, list[dict[str, Any]]]:
    """Per RL method: held-out success after each phase (mean over seeds), against rollouts so far."""
    by: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for j in jobs:
        if "curve" not in j:
            continue
        for line in Path(j["curve"]).read_text().splitlines():
            rec = json.loads(line)
            if "eval/success" in rec:
                by[j["method"]][int(rec["phase"])].append(float(rec["eval/success"]))
    return {m: [{"phase": p, "rollouts": p * rollouts, **mean_std(v)} for p, v in sorted(ph.items())] for m, ph in by.items()}


def rollouts_to_match(curve: list[dict[str, Any]], target: float) -> int | None:
    """Rollouts after which a curve's mean first reaches `target` (None: never)."""
    return next((c["rollouts"] for c in curve if c["mean"] >= target), None)


def collect(cfg: DemoConfig, jobs: list[dict[str, Any]], horizons: dict[str, int], rollouts: int) -> dict[str, Any]:
    """results.json: per method mean/std/runs (success on the test tasks), per site, long vs short, milestones."""
    runs: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    for j in sorted(jobs, key=lambda j: (j["method"], j["seed"])):
        runs[j["method"]].append(_records(j["eval"]))
    if "sft" in runs:  # one checkpoint: the same start for every seed
        runs["sft"] = runs["sft"] * len(cfg.seeds)
    out: dict[str, Any] = {}
    for m in METHODS:
        if m not in runs:
            continue
        res = mean_std([_rate(r) for r in runs[m]])
        sites = sorted({r["site"] for r in runs[m][0]})
        res["by_site"] = {s: round(statistics.fmean(_rate([r for r in rs if r["site"] == s]) for rs in runs[m]), 4)
                          for s in sites}
        long = [[r for r in rs if horizons.get(r["task_id"], 0) >= LONG_TASK_STEPS] for rs in runs[m]]
        short = [[r for r in rs if horizons.get(r["task_id"], 0) < LONG_TASK_STEPS] for rs in runs[m]]
        res["long"], res["short"] = mean_std([_rate(r) for r in long]), mean_std([_rate(r) for r in short])
        res["milestones_reached"] = round(statistics.fmean(
            statistics.fmean(r["milestones_reached"] / max(1, r["milestones_total"]) for r in rs) for rs in runs[m]), 4)
        out[m] = res
    out["curves"] = curves(jobs, rollouts)
    for curve in out["curves"].values():  # every RL curve starts at the SFT checkpoint
        if "sft" in out:
            curve.insert(0, {"phase": 0, "rollouts": 0, **mean_std(out["sft"]["runs"])})
    if out["curves"].get("webrl") and out["curves"].get("mira"):
        target = out["curves"]["webrl"][-1]["mean"]
        out["mira_rollouts_to_webrl_final"] = rollouts_to_match(out["curves"]["mira"], target)
        out["webrl_rollouts"] = out["curves"]["webrl"][-1]["rollouts"]
    out["test_tasks"] = len(horizons)
    out["long_tasks"] = sum(h >= LONG_TASK_STEPS for h in horizons.values())
    out["seeds"] = list(cfg.seeds)
    return out


def table(results: dict[str, Any]) -> str:
    """The paper's shape: one row per method, success (%) per site and the average, mean +- std over seeds."""
    methods = [m for m in METHODS if m in results]
    sites = sorted({s for m in methods for s in results[m]["by_site"]})
    head = f"{'method':<18}" + "".join(f"{s:>12}" for s in sites) + f"{'long':>9}{'avg':>16}"
    rows = [head, "-" * len(head)]
    for m in methods:
        r = results[m]
        cells = "".join(f"{100 * r['by_site'][s]:>12.1f}" for s in sites)
        rows.append(f"{LABEL[m]:<18}{cells}{100 * r['long']['mean']:>9.1f}{100 * r['mean']:>9.1f} +-{100 * r['std']:>4.1f}")
    return "\n".join(rows)


def reach_by_k(a: Analysis) -> list[float]:
    """Share of a run's episodes that reached at least k milestones, for k = 1..max."""
    counts = [sum(t.progress) for t in a.trajectories.values()]
    top = max((len(t.progress) for t in a.trajectories.values()), default=0)
    return [sum(c >= k for c in counts) / max(1, len(counts)) for k in range(1, top + 1)]


def failure_modes(jobs: list[dict[str, Any]]) -> tuple[dict[str, dict[str, int]], dict[str, Analysis]]:
    """Failure-mode counts per method (summed over seeds), and each method's first run's analysis."""
    counts: dict[str, dict[str, int]] = {}
    first: dict[str, Analysis] = {}
    for j in sorted(jobs, key=lambda j: (j["method"], j["seed"])):
        a = analyze_run(load_run(j["eval"]))
        first.setdefault(j["method"], a)
        c = counts.setdefault(j["method"], {})
        for k, v in a.counts().items():
            c[k] = c.get(k, 0) + v
    return counts, first


def write(cfg: DemoConfig, results: dict[str, Any], jobs: list[dict[str, Any]]) -> tuple[Path, Path | None, str]:
    """results.json, the report (MiRA's first run, compared with the others) and the text to print."""
    counts, first = failure_modes(jobs)
    results["failure_modes"] = counts
    path = cfg.out / "results.json"
    write_json_atomic(path, results)
    report = None
    if first:
        order = [m for m in ("mira", "webrl", "sft", "base") if m in first]
        report = write_analysis(first[order[0]], [first[m] for m in order[1:]])["report"]
    text = [table(results), "", "failure modes (failed episodes, all seeds):"]
    text += [f"  {LABEL[m]:<18}" + ", ".join(f"{k} {v}" for k, v in c.items() if v) for m, c in counts.items()]
    text.append("milestones (share of episodes that reached at least k of their milestones, k = 1, 2, ...):")
    for m, a in first.items():
        text.append(f"  {LABEL[m]:<18}" + "  ".join(f"{100 * x:.0f}%" for x in reach_by_k(a)))
    for m, curve in results["curves"].items():
        text.append(f"  {LABEL[m]} held-out success by rollouts: "
                    + ", ".join(f"{c['rollouts']}: {100 * c['mean']:.1f}" for c in curve))
    return path, report, "\n".join(text)


def run_demo(cfg: DemoConfig, say: Callable[[str], None] = print) -> tuple[dict[str, Any], Path, Path | None, str]:
    """The whole demo: start checkpoint, test tasks and their horizons, the jobs, results.json and the report."""
    t0 = time.perf_counter()
    demo.ensure_start(cfg.start)
    tasks = demo.held_out_tasks(cfg.test_tasks)
    horizons = demo.oracle_steps(tasks)
    rl = load_config(cfg.preset)
    phases, rollouts = cfg.phases or rl.phases, cfg.rollouts_per_phase or rl.rollouts_per_phase
    n_long = sum(h >= LONG_TASK_STEPS for h in horizons.values())
    say(f"demo: start {cfg.start}; {len(tasks)} held-out arena tasks ({n_long} long, >= {LONG_TASK_STEPS} steps); "
        f"WebRL and MiRA: {phases} phases x {rollouts} rollouts, seeds {list(cfg.seeds)}; {cfg.workers} workers")
    jobs = demo.run_jobs(cfg, tasks)
    results = collect(cfg, jobs, horizons, rollouts)
    results["wall_s"] = round(time.perf_counter() - t0, 1)
    path, report, text = write(cfg, results, jobs)
    return results, path, report, text
