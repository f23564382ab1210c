"""The oracle solves every arena task, reaching every ground-truth milestone (issue 3's bar: 100%)."""

from __future__ import annotations

from collections import Counter

from mira.arena.oracle import OracleAgent
from mira.env import get_suite, make_env
from mira.rollout import run_episode


def _solve(task_id: str, browserless: bool) -> tuple[bool, str, int]:
    with make_env(f"arena/{task_id}", browserless=browserless) as env:
        traj = run_episode(env, OracleAgent(), max_steps=60)
    ok = traj.success and all(traj.progress) and traj.exit_reason == "stop"
    detail = f"{task_id}: success={traj.success} z={traj.progress} exit={traj.exit_reason} {traj.info.get('error', '')}"
    return ok, detail, len(traj.steps)


def test_oracle_solves_every_task_browserless() -> None:
    ids = get_suite("arena").task_ids()
    failures, lengths = [], Counter()
    for tid in ids:
        ok, detail, n = _solve(tid, browserless=True)
        lengths[n] += 1
        if not ok:
            failures.append(detail)
    assert not failures, f"{len(failures)} of {len(ids)} tasks not solved:\n" + "\n".join(failures[:20])
    # horizons like WebArena's: from 3 to 25+ steps, with a spread and long tasks in the test split
    assert min(lengths) <= 3 and max(lengths) >= 25
    assert sum(c for n, c in lengths.items() if n >= 7) >= len(ids) // 4
