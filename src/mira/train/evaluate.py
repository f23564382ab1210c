"""Greedy evaluation of a policy in memory, written as an eval run folder (`mira analyze` and `mira compare` read it).

The layout is the harness's (run.json, results.jsonl, summary.json, trajectories/), so a phase's evaluation gets
the same failure analysis, milestone heatmaps and report as `mira eval`, without a worker process per model.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mira.eval.runs import RESULTS, RUN_JSON, SUMMARY, trajectory_path
from mira.eval.summary import summarize
from mira.eval.worker import episode_record
from mira.rollout import run_episode, write_json_atomic
from mira.types import Agent, Env


def evaluate_policy(make_agent: Callable[[], Agent], env_factory: Callable[[str], Env], task_ids: list[str],
                    folder: Path, *, suite: str, max_steps: int, settings: dict[str, Any]) -> dict[str, Any]:
    """One greedy episode per task (sample 0); returns the summary (success_rate, milestone progress, ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    run_settings = {"suite": suite, "tasks": list(task_ids), "samples": 1, "max_steps": max_steps, **settings}
    write_json_atomic(folder / RUN_JSON, {"settings": run_settings, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    records = []
    with (folder / RESULTS).open("w") as fh:
        for tid in task_ids:
            t0 = time.perf_counter()
            with env_factory(tid) as env:
                traj = run_episode(env, make_agent(), max_steps=max_steps, seed=0, out=trajectory_path(folder, tid, 0))
                rec = episode_record(suite, tid, 0, env.task, traj, time.perf_counter() - t0)
            fh.write(json.dumps(rec) + "\n")
            records.append(rec)
    summary = summarize(records)
    write_json_atomic(folder / SUMMARY, summary)
    return summary
