"""One harness worker: a process that plays episodes it is sent, each in a fresh env, and sends back records.

A worker leads its own process group (so a timeout kill takes its browser with it), dies with its
parent (so a killed `mira eval` leaves no orphans), and closes its env on SIGTERM.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from mira.agent import AGENTS, make_agent
from mira.env import SUITES, Suite, get_suite
from mira.env.browser import shared_browser
from mira.eval.runs import trajectory_path
from mira.rollout import run_episode, write_json_atomic
from mira.types import Env, Observation, StepResult, Task, Trajectory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalConfig:
    """Everything a run needs; `settings()` is what run.json records and resume compares."""

    suite: str
    """Suite name, as registered in mira.env.SUITES."""
    tasks: tuple[str, ...]
    """Task ids within the suite, in run order."""
    out: Path
    """The run folder."""
    agent: str = "plain"
    """Agent name from mira.agent.AGENTS."""
    agent_kwargs: dict[str, Any] = field(default_factory=dict)
    """The agent's constructor options (LLM spec, actions file, ...); never API keys."""
    split: str | None = None
    """The split the tasks came from (recorded only)."""
    samples: int = 1
    """Episodes per task (K of Pass@K); sample k is played with seed k."""
    max_steps: int = 30
    """Steps before an episode is cut."""
    workers: int = 1
    """Worker processes, each with its own env per episode."""
    timeout_s: float = 600.0
    """Wall-clock limit per episode; a worker past it is killed and the episode recorded as 'timeout'."""
    env_options: dict[str, Any] = field(default_factory=dict)
    """Options passed to make_env (e.g. screenshots=True)."""
    suite_path: str = ""
    """`module:Class` of the suite, so spawned workers find suites registered at run time (tests)."""

    def settings(self) -> dict[str, Any]:
        """The settings that change results (workers, timeout and folder do not)."""
        return {"suite": self.suite, "split": self.split, "tasks": list(self.tasks), "agent": self.agent,
                "agent_kwargs": dict(self.agent_kwargs), "samples": self.samples, "max_steps": self.max_steps,
                "env_options": dict(self.env_options)}


def usage(traj: Trajectory) -> tuple[int, float]:
    """Tokens and cost of an episode: the agent's totals in traj.info when it keeps them, else the sum over
    each step's LLM call records (`info['llm_calls']`: prompt_tokens, completion_tokens, cost) or flat usage."""
    if "tokens" in traj.info or "cost" in traj.info:
        return int(traj.info.get("tokens") or 0), float(traj.info.get("cost") or 0.0)
    tokens, cost = 0, 0.0
    for step in traj.steps:
        records = step.info.get("llm_calls") or [step.info, step.info.get("usage") or {}]
        for rec in records:
            if not isinstance(rec, dict):
                continue
            tokens += int(rec.get("tokens") or 0) or int(rec.get("prompt_tokens") or 0) + int(
                rec.get("completion_tokens") or 0)
            cost += float(rec.get("cost") or 0.0)
    return tokens, cost


def episode_record(suite: str, task_id: str, sample: int, task: Task, traj: Trajectory, wall_s: float) -> dict[str, Any]:
    """The results.jsonl object of one finished episode."""
    tokens, cost = usage(traj)
    total = len(traj.progress) or len(task.milestones)
    return {
        "task_id": task_id, "suite": suite, "site": task.site, "sample": sample,
        "success": bool(traj.success), "reward": float(traj.reward), "steps": len(traj.steps),
        "milestones_total": total, "milestones_reached": sum(bool(z) for z in traj.progress),
        "exit_reason": traj.exit_reason, "tokens": tokens, "cost": round(cost, 6),
        "wall_s": round(wall_s, 3), "episode_s": float(traj.info.get("wall_s", wall_s)), "worker_pid": os.getpid(),
        "finished_at": round(time.time(), 3),
    }


class ScreenshotSaver:
    """Env wrapper: writes each observation's PNG (when the env attaches one) to `folder`, in order,
    so that `attach` can point Step.info['screenshot'] at the page each action was chosen on."""

    def __init__(self, env: Env, folder: Path) -> None:
        self.env, self.folder, self.task = env, folder, env.task
        self.paths: list[Path] = []

    def _save(self, obs: Observation) -> Observation:
        if obs.screenshot:
            path = self.folder / f"{len(self.paths)}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(obs.screenshot)
            self.paths.append(path)
        return obs

    def reset(self, seed: int | None = None) -> Observation:
        self.paths = []
        obs = self.env.reset(seed=seed)
        self.task = self.env.task  # some suites draw the goal at reset
        return self._save(obs)

    def step(self, action: str) -> StepResult:
        res = self.env.step(action)
        return res._replace(obs=self._save(res.obs))

    def close(self) -> None:
        self.env.close()

    def __enter__(self) -> ScreenshotSaver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def attach(self, traj: Trajectory, run_dir: Path) -> bool:
        """Point each step at the screenshot of the page it acted on (paths relative to the run folder)."""
        if not self.paths:
            return False
        j = 0
        for step in traj.steps:
            step.info["screenshot"] = str(self.paths[min(j, len(self.paths) - 1)].relative_to(run_dir))
            j += bool(step.action)  # an unparsed reply does not move the env: the next step sees the same page
        return True


def play(cfg: EvalConfig, suite: Suite, task_id: str, sample: int) -> dict[str, Any]:
    """Play one episode in a fresh env; a task, agent or env that cannot be made becomes an error episode."""
    t0 = time.perf_counter()
    out = trajectory_path(cfg.out, task_id, sample)
    task = Task(id=f"{cfg.suite}/{task_id}", goal="")
    try:
        task = suite.load_task(task_id)
        agent = make_agent(cfg.agent, **cfg.agent_kwargs)
        with suite.make_env(task_id, **cfg.env_options) as env:
            saver = ScreenshotSaver(env, out.with_suffix(""))
            traj = run_episode(saver, agent, max_steps=cfg.max_steps, seed=sample, out=out)
        if saver.attach(traj, cfg.out):
            write_json_atomic(out, traj.to_json())
    except Exception as e:  # no task, env or agent: the episode failed, the run goes on
        log.exception("cannot start %s sample %d", task_id, sample)
        traj = Trajectory(task_id=task.id, goal=task.goal, site=task.site, exit_reason=f"error:{type(e).__name__}",
                          progress=[False] * len(task.milestones), info={"error": str(e)[:2000]})
        write_json_atomic(out, traj.to_json())
    return episode_record(cfg.suite, task_id, sample, task, traj, time.perf_counter() - t0)


def die_with_parent() -> None:
    try:  # Linux: SIGTERM this process when the parent dies, even by SIGKILL
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        log.debug("prctl unavailable; a killed parent may leave this worker until its job ends")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds `with env`, so the browser is closed


def worker_main(cfg: EvalConfig, conn: Connection) -> None:
    """Process entry point: receive (task_id, sample) jobs until None or the pipe closes; reply with records."""
    os.setpgid(0, 0)
    die_with_parent()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if cfg.suite_path:  # the suite the parent resolved (it may have been registered at run time)
        SUITES[cfg.suite] = cfg.suite_path
    suite = get_suite(cfg.suite)
    importlib.import_module(AGENTS[cfg.agent].partition(":")[0])  # import before 'ready': timeouts time episodes
    conn.send("ready")
    with shared_browser().kept_open():  # one Chromium for all of this worker's episodes (web suites)
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            conn.send(play(cfg, suite, job[0], int(job[1])))
