"""run_eval: every (task, sample) of a run, N worker processes, resumable, one results line per episode.

Durability: the parent is the only writer of results.jsonl; each record is appended, flushed and
fsynced as its episode finishes, so a crash, kill or Ctrl-C loses no finished episode. Resuming reads
results.jsonl and skips the (task, sample) pairs already there. Workers are killed when an episode
passes its timeout; the episode is recorded with exit_reason 'timeout' and a fresh worker takes over.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import signal
import sys
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from mira.eval.runs import RESULTS, RUN_JSON, SUMMARY, read_results, trajectory_path
from mira.eval.summary import summarize
from mira.eval.worker import EvalConfig, episode_record, worker_main
from mira.rollout import write_json_atomic
from mira.types import Task, Trajectory

log = logging.getLogger(__name__)
KILL_GRACE_S = 3.0
"""Seconds a worker gets after SIGTERM (to close its browser) before SIGKILL."""


@dataclass
class _Worker:
    proc: Any  # mp.Process (spawn context)
    conn: Connection
    job: tuple[str, int] | None = None
    started: float = 0.0
    ready: bool = False


def prepare_run_dir(cfg: EvalConfig, force: bool = False) -> None:
    """Create the run folder and run.json, or check that run.json matches `cfg` (ValueError if not, unless force)."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    path = cfg.out / RUN_JSON
    settings = cfg.settings()
    if path.exists():
        try:
            old = json.loads(path.read_text())["settings"]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ValueError(f"{path} is unreadable ({e}); use a new --out folder") from None
        diffs = [f"{k}: {_short(old.get(k))} -> {_short(v)}" for k, v in settings.items() if old.get(k) != v]
        if not diffs:
            return
        if not force:
            raise ValueError(f"refusing to resume {cfg.out}: its settings differ from this command's "
                             f"({'; '.join(diffs)}). Use a new --out folder, or --force to resume with the new settings")
        log.warning("resuming %s with changed settings: %s", cfg.out, "; ".join(diffs))
        settings = {**settings, "previous": old}
    write_json_atomic(path, {"settings": settings, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})


def _short(v: Any) -> str:
    s = json.dumps(v)
    return s if len(s) <= 60 else s[:57] + "..."


def open_results(out: Path) -> tuple[TextIO, dict[tuple[str, int], dict[str, Any]]]:
    """Finished records by (task_id, sample), and results.jsonl opened for appending on a fresh line."""
    path = out / RESULTS
    done: dict[tuple[str, int], dict[str, Any]] = {}
    if path.exists():
        records, notes, _ = read_results(path)
        for n in notes:
            log.warning("%s", n)
        done = {(r["task_id"], r["sample"]): r for r in records}
    ends_clean = _ends_with_newline(path)
    fh = open(path, "a", encoding="utf-8")  # kept open for the whole run
    if not ends_clean:  # a write cut by a kill: start ours on a new line, the torn one stays skipped
        fh.write("\n")
    return fh, done


def _ends_with_newline(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def append_record(fh: TextIO, rec: dict[str, Any]) -> None:
    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    fh.flush()
    os.fsync(fh.fileno())


def run_eval(cfg: EvalConfig, *, force: bool = False, progress: bool = True) -> dict[str, Any]:
    """Run (or resume) the evaluation; returns the summary (also written as summary.json)."""
    if cfg.samples < 1 or cfg.workers < 1 or cfg.max_steps < 1:
        raise ValueError("--samples, --workers and --max-steps must be at least 1")
    if not cfg.tasks:
        raise ValueError(f"no tasks to run in suite {cfg.suite!r}")
    prepare_run_dir(cfg, force)
    fh, done = open_results(cfg.out)
    jobs = [(t, k) for k in range(cfg.samples) for t in cfg.tasks if (t, k) not in done]
    if done:
        log.warning("resuming %s: %d episode(s) already finished, %d to run", cfg.out, len(done), len(jobs))
    bar = tqdm(total=len(done) + len(jobs), initial=len(done), file=sys.stderr, disable=not progress,
               unit="ep", dynamic_ncols=True)
    wins = sum(r["success"] for r in done.values())
    try:
        for rec in _run_jobs(cfg, jobs):
            append_record(fh, rec)
            done[(rec["task_id"], rec["sample"])] = rec
            wins += rec["success"]
            bar.update(1)
            bar.set_postfix_str(f"success {wins}/{len(done)} ({100 * wins / len(done):.0f}%)")
    finally:
        bar.close()
        fh.close()
    wanted = {(t, k) for k in range(cfg.samples) for t in cfg.tasks}
    summary = summarize([r for key, r in done.items() if key in wanted])
    write_json_atomic(cfg.out / SUMMARY, summary)
    return summary


def _run_jobs(cfg: EvalConfig, jobs: list[tuple[str, int]]) -> Any:
    """Yield one record per job as episodes finish, on up to cfg.workers processes."""
    if not jobs:
        return
    ctx = mp.get_context("spawn")
    cfg = replace(cfg, out=cfg.out.resolve())
    pending = list(reversed(jobs))
    workers = [_spawn(ctx, cfg) for _ in range(min(cfg.workers, len(jobs)))]
    try:
        while pending or any(w.job for w in workers):
            for w in workers:
                if w.ready and w.job is None and pending:
                    w.job, w.started = pending.pop(), time.monotonic()
                    w.conn.send(w.job)
            busy = [w for w in workers if w.job or not w.ready]
            deadline = min((w.started for w in busy if w.job), default=time.monotonic()) + cfg.timeout_s
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                 timeout=max(0.0, min(deadline - time.monotonic(), 5.0)))
            for i, w in enumerate(workers):
                if not w.ready:
                    _check_ready(w)
                    continue
                rec = _collect(cfg, w)
                if rec is None:
                    continue
                yield rec
                if not w.proc.is_alive() and pending:
                    workers[i] = _spawn(ctx, cfg)
    finally:
        for w in workers:
            _stop(w)


def _check_ready(w: _Worker) -> None:
    """A new worker says 'ready' once it has imported its suite; episode timeouts start only after that."""
    if w.conn.poll():
        try:
            w.ready = w.conn.recv() == "ready"
            return
        except (EOFError, OSError):
            pass
    if not w.proc.is_alive():
        raise RuntimeError(f"an eval worker failed to start (exit code {w.proc.exitcode}); see the errors above")


def _collect(cfg: EvalConfig, w: _Worker) -> dict[str, Any] | None:
    """The worker's finished record, a 'timeout' or worker-death record, or None while it is still playing."""
    if w.job is None:
        return None
    job = w.job
    if w.conn.poll():
        try:
            rec: dict[str, Any] = w.conn.recv()
            w.job = None
            return rec
        except (EOFError, OSError):
            pass
    if not w.proc.is_alive():
        w.job = None
        log.warning("worker died during %s sample %d (exit code %s)", job[0], job[1], w.proc.exitcode)
        return _failed_record(cfg, job, "error:WorkerDied", time.monotonic() - w.started, w.proc.pid)
    if time.monotonic() - w.started > cfg.timeout_s:
        log.warning("%s sample %d passed the %gs timeout; killing its worker", job[0], job[1], cfg.timeout_s)
        _kill(w)
        w.job = None
        return _failed_record(cfg, job, "timeout", time.monotonic() - w.started, w.proc.pid)
    return None


def _failed_record(cfg: EvalConfig, job: tuple[str, int], reason: str, wall_s: float, pid: int) -> dict[str, Any]:
    """Record an episode whose worker was killed or died, keeping the steps its trajectory file already has."""
    from mira.env import get_suite  # the parent imports suites lazily (it never plays)

    task_id, sample = job
    try:
        task = get_suite(cfg.suite).load_task(task_id)
    except Exception:  # a suite that cannot load here still gets its record
        task = Task(id=f"{cfg.suite}/{task_id}", goal="")
    path = trajectory_path(cfg.out, task_id, sample)
    try:
        traj = Trajectory.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        traj = Trajectory(task_id=task.id, goal=task.goal, site=task.site, progress=[False] * len(task.milestones))
    traj.exit_reason, traj.success = reason, False
    traj.info["wall_s"] = round(wall_s, 3)
    write_json_atomic(path, traj.to_json())
    return {**episode_record(cfg.suite, task_id, sample, task, traj, wall_s), "worker_pid": pid}


def _spawn(ctx: Any, cfg: EvalConfig) -> _Worker:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=worker_main, args=(cfg, child), daemon=True, name="mira-eval-worker")
    proc.start()
    child.close()
    return _Worker(proc, parent)


def _kill(w: _Worker) -> None:
    """SIGTERM the worker's process group (it closes its env), then SIGKILL what is left."""
    for sig, grace in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, 1.0)):
        try:
            os.killpg(w.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:  # not yet a group leader: signal the process itself
                os.kill(w.proc.pid, sig)
            except ProcessLookupError:
                break
        w.proc.join(grace)
        if not w.proc.is_alive():
            break


def _stop(w: _Worker) -> None:
    if w.job is None and w.proc.is_alive():
        try:
            w.conn.send(None)
            w.proc.join(5.0)
        except (BrokenPipeError, OSError):
            pass
    if w.proc.is_alive():
        _kill(w)
    w.conn.close()
