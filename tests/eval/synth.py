"""Synthetic trajectories for analysis tests and the benchmark: realistic shapes of each failure mode."""

from __future__ import annotations

import json
import random
from pathlib import Path

from mira.eval.runs import trajectory_path
from mira.types import Step, Trajectory


def traj(actions: list[str], *, urls: list[str] | None = None, reached: list[int] | None = None, k: int = 4,  # noqa: PLR0913
         exit_reason: str = "max_steps", success: bool = False, answer: str = "", errors: list[str] | None = None,
         final: int | None = None) -> Trajectory:
    """A trajectory whose step i has action actions[i], url urls[i] and `reached[i]` milestones before it;
    `final` milestones after the last step (default: reached[-1])."""
    n = len(actions)
    urls = urls or [f"http://site/p{i}" for i in range(n)]
    reached = reached or [0] * n
    errors = errors or [""] * n
    steps = [Step(action=a, reply=a or "gibberish", url=u, observation=f"[1] link 'x'\npage {u}",
                  progress=[j < r for j in range(k)], error=e, plan=[f"milestone {j + 1}" for j in range(k)])
             for a, u, r, e in zip(actions, urls, reached, errors, strict=True)]
    last = final if final is not None else (reached[-1] if reached else 0)
    return Trajectory(task_id="t", goal="do the thing", site="shop", milestones=[f"milestone {j + 1}" for j in range(k)],
                      steps=steps, success=success, exit_reason=exit_reason, answer=answer,
                      progress=[j < last for j in range(k)])


def random_traj(rng: random.Random, max_steps: int = 30) -> Trajectory:
    """One of the four failure shapes or a success, at random."""
    kind = rng.choice(["loop", "wrong_stop", "give_up", "success", "error", "wander"])
    k = rng.randint(2, 5)
    if kind == "loop":
        start = rng.randint(1, 8)
        acts = [f"click [{i}]" for i in range(start)] + ["click [7]", "scroll [down]"] * ((max_steps - start) // 2)
        acts = acts[:max_steps]
        return traj(acts, urls=[f"http://s/{min(i, start)}" for i in range(len(acts))],
                    reached=[min(i, 1) for i in range(len(acts))], k=k)
    if kind == "wrong_stop":
        n = rng.randint(4, 15)
        return traj([f"click [{i}]" for i in range(n - 1)] + ["stop [42]"], reached=[min(i // 3, k - 1) for i in range(n)],
                    k=k, exit_reason="stop", answer="42")
    if kind == "give_up":
        return traj(["stop [N/A]"], k=k, exit_reason="stop", answer="N/A")
    if kind == "error":
        return traj(["click [1]", "click [2]"], k=k, exit_reason="error:TimeoutError")
    n = rng.randint(3, max_steps)
    acts = [f"click [{i}]" for i in range(n - 1)] + ["stop []"]
    ok = kind == "success"
    return traj(acts, reached=[min(i * k // n, k) for i in range(n)], final=k if ok else k - 1, k=k,
                exit_reason="stop", success=ok)


def write_run(run_dir: Path, n: int, seed: int = 0, suite: str = "arena", obs_chars: int = 0) -> None:
    """A run folder of n synthetic episodes: results.jsonl, run.json and trajectories/; observations padded
    to `obs_chars` characters (a real accessibility tree is a few thousand)."""
    rng = random.Random(seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        t = random_traj(rng)
        t.task_id = f"{suite}/task-{i}"
        t.steps[0].info["tokens"] = 100
        for j, step in enumerate(t.steps):
            while len(step.observation) < obs_chars:
                step.observation += f"\n[{j}{len(step.observation)}] link 'item {len(step.observation)}'"
        path = trajectory_path(run_dir, f"task-{i}", 0)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(t.to_json()))
        lines.append(json.dumps({"task_id": f"task-{i}", "suite": suite, "site": rng.choice(["shop", "forum", "code"]),
                                 "sample": 0, "success": t.success, "reward": float(t.success),
                                 "steps": len(t.steps), "milestones_total": len(t.progress),
                                 "milestones_reached": sum(t.progress), "exit_reason": t.exit_reason,
                                 "tokens": 100, "cost": 0.0, "wall_s": 1.0}))
    (run_dir / "results.jsonl").write_text("\n".join(lines) + "\n")
    settings = {"suite": suite, "tasks": [f"task-{i}" for i in range(n)], "samples": 1}
    (run_dir / "run.json").write_text(json.dumps({"settings": settings}))
