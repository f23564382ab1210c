"""Arena latency and throughput: reset and step (median, p95), real browser vs browserless, and oracle
episodes per minute with 1 and 2 worker processes.

    .venv/bin/python benchmarks/bench_arena.py [--tasks 20] [--out bench_arena.json]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from mira.arena.oracle import OracleAgent
from mira.env import get_suite, make_env
from mira.env.browser import shared_browser
from mira.rollout import run_episode


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def latencies(task_ids: list[str], browserless: bool) -> dict[str, Any]:
    """Time reset and each oracle step of every task (one env per task, as the harness does)."""
    resets: list[float] = []
    steps: list[float] = []
    with shared_browser().kept_open():  # as an eval worker does: Chromium is launched once, not per env
        _time_tasks(task_ids, browserless, resets, steps)
    ms = lambda xs, q: round(1000 * pct(xs, q), 1)  # noqa: E731
    return {"reset_median_ms": ms(resets, 0.5), "reset_p95_ms": ms(resets, 0.95),
            "step_median_ms": ms(steps, 0.5), "step_p95_ms": ms(steps, 0.95), "steps": len(steps)}


def _time_tasks(task_ids: list[str], browserless: bool, resets: list[float], steps: list[float]) -> None:
    for tid in task_ids:
        with make_env(f"arena/{tid}", browserless=browserless) as env:
            agent = OracleAgent()
            t0 = time.perf_counter()
            obs = env.reset()
            resets.append(time.perf_counter() - t0)
            from mira.types import Trajectory

            traj = Trajectory(task_id=env.task.id, progress=[False] * len(env.task.milestones))
            agent.start(env.task, obs, traj)
            for _ in range(60):
                action = agent.act(obs, traj).action
                t0 = time.perf_counter()
                res = env.step(action)
                steps.append(time.perf_counter() - t0)
                obs = res.obs
                if res.terminated:
                    break


def _episodes(args: tuple[list[str], bool]) -> list[bool]:
    tids, browserless = args
    out = []
    with shared_browser().kept_open():
        for tid in tids:
            with make_env(f"arena/{tid}", browserless=browserless) as env:
                out.append(run_episode(env, OracleAgent(), max_steps=60).success)
    return out


def throughput(task_ids: list[str], workers: int, browserless: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    shards = [(task_ids[i::workers], browserless) for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        ok = [s for shard in pool.map(_episodes, shards) for s in shard]
    wall = time.perf_counter() - t0
    return {"workers": workers, "episodes": len(ok), "success": sum(ok), "episodes_per_min": round(60 * len(ok) / wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=20, help="test-split tasks to use (spread over all templates)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    ids = get_suite("arena").task_ids("test")
    stride = max(1, len(ids) // args.tasks)
    ids = ids[::stride][: args.tasks]
    report: dict[str, Any] = {"tasks": len(ids)}
    for mode, bl in (("browser", False), ("browserless", True)):
        try:
            report[mode] = latencies(ids, bl)
            report[mode]["throughput"] = [throughput(ids, w, bl) for w in (1, 2)]
        except ImportError as e:
            report[mode] = {"error": str(e)}
    if "step_median_ms" in report.get("browserless", {}):
        b, s = report["browser"], report["browserless"]
        report["browserless_speedup_step"] = round(b["step_median_ms"] / s["step_median_ms"], 1)
        report["browserless_speedup_reset"] = round(b["reset_median_ms"] / s["reset_median_ms"], 1)
    print(json.dumps(report, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
