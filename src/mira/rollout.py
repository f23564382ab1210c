"""run_episode: the one loop used by `mira run`, `mira eval` and the trainer's rollouts."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from mira.types import Agent, Env, Step, Trajectory

log = logging.getLogger(__name__)

MAX_PARSE_FAILURES = 5
"""Consecutive unparseable replies that end an episode (as WebArena-Lite's evaluation)."""


def run_episode(
    env: Env,
    agent: Agent,
    *,
    max_steps: int = 30,
    seed: int | None = None,
    out: Path | None = None,
) -> Trajectory:
    """Play one episode of `env.task` with `agent`; save the trajectory to `out` after every step.

    Never raises for what an agent or an env page does: an exception ends the episode with
    `exit_reason = "error:<Type>"` and the trajectory up to there is kept.
    """
    task = env.task
    traj = Trajectory(task_id=task.id, goal=task.goal, site=task.site)
    traj.progress = [False] * len(task.milestones)
    t0 = time.perf_counter()
    try:
        obs = env.reset(seed=seed)
        task = env.task  # some suites (miniwob) draw the goal at reset
        traj.goal = task.goal
        agent.start(task, obs, traj)
        parse_failures = 0
        for _ in range(max_steps):
            step = agent.act(obs, traj)
            step.url, step.observation = obs.url, obs.text
            traj.steps.append(step)
            if not step.action:
                parse_failures += 1
                if parse_failures >= MAX_PARSE_FAILURES:
                    traj.exit_reason = "parse_error"
                    break
                continue
            parse_failures = 0
            res = env.step(step.action)
            obs = res.obs
            step.error, step.reward = obs.error, res.reward
            traj.progress = list(res.info.get("progress", traj.progress))
            _finish_if_done(traj, step, res.terminated, res.truncated, res.info)
            _save(traj, out)
            if traj.exit_reason:
                break
        else:
            traj.exit_reason = "max_steps"
    except Exception as e:  # an episode ends, the run goes on
        log.exception("episode %s failed", task.id)
        traj.exit_reason = f"error:{type(e).__name__}"
        traj.info["error"] = str(e)[:2000]
    finally:
        traj.exit_reason = traj.exit_reason or "max_steps"
        traj.info["wall_s"] = round(time.perf_counter() - t0, 3)
        _save(traj, out)
    return traj


def _finish_if_done(traj: Trajectory, step: Step, terminated: bool, truncated: bool, info: dict[str, Any]) -> None:
    if not (terminated or truncated):
        return
    traj.reward = float(step.reward)
    traj.success = bool(info.get("success", step.reward > 0))
    traj.answer = str(info.get("answer", ""))
    traj.info["eval"] = info.get("eval", {})
    traj.exit_reason = "stop" if step.action.startswith("stop") else ("env_done" if terminated else "truncated")


def _save(traj: Trajectory, out: Path | None) -> None:
    if out is not None:
        write_json_atomic(out, traj.to_json())


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so a reader never sees a half-written file (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_trajectory(path: Path) -> Trajectory:
    return Trajectory.from_json(json.loads(Path(path).read_text()))
