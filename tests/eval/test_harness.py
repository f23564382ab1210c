"""The harness on a real (toy) suite: workers, timeouts, resume after a kill or Ctrl-C, settings checks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import toysuite

from mira.eval.harness import run_eval
from mira.eval.runs import load_run, trajectory_path
from mira.eval.worker import EvalConfig

TOY = Path(toysuite.__file__)
TASKS = tuple(toysuite.TASKS)


@pytest.fixture()
def toy() -> str:
    return toysuite.register()


def config(out: Path, actions: str, toy: str, **kw: object) -> EvalConfig:
    opts: dict = {"tasks": TASKS, "samples": 1, "workers": 1, "max_steps": 10, **kw}
    return EvalConfig(suite="toy", out=out, agent="replay", agent_kwargs={"actions_file": actions},
                      suite_path=toy, **opts)


def lines(out: Path) -> list[str]:
    return (out / "results.jsonl").read_text().splitlines()


def test_two_workers_summary_and_files(tmp_path: Path, toy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOY_STEP_S", "0.05")  # episodes long enough that both workers get some
    acts = toysuite.write_actions(tmp_path / "a.txt", 3)
    summary = run_eval(config(tmp_path / "run", acts, toy, workers=2, samples=2), progress=False)
    recs = [json.loads(x) for x in lines(tmp_path / "run")]
    assert len(recs) == 12 and len({(r["task_id"], r["sample"]) for r in recs}) == 12
    assert len({r["worker_pid"] for r in recs}) == 2  # both workers played
    assert set(recs[0]) >= {"task_id", "site", "sample", "success", "reward", "steps", "milestones_total",
                            "milestones_reached", "exit_reason", "tokens", "cost", "wall_s"}
    for r in recs:
        assert trajectory_path(tmp_path / "run", r["task_id"], r["sample"]).is_file()
        assert r["success"] == r["task_id"].startswith("count-3")
        assert r["milestones_reached"] == min(3, r["milestones_total"])
    assert summary["n"] == 12 and summary["success_rate"] == pytest.approx(4 / 12, abs=1e-4)
    assert summary["by_site"] == {"alpha": 0.5, "beta": 0.0, "gamma": 0.5}
    assert summary["pass_at_k"] == {"1": 0.3333, "2": 0.3333}
    assert summary["avg_steps"] == 4.0
    assert json.loads((tmp_path / "run" / "summary.json").read_text()) == summary


def test_hung_episode_is_killed_and_recorded_as_timeout(tmp_path: Path, toy: str) -> None:
    acts = toysuite.write_actions(tmp_path / "a.txt", 1)
    t0 = time.monotonic()
    run_eval(config(tmp_path / "run", acts, toy, tasks=("hang-0-alpha", "count-1-gamma"), timeout_s=2.0), progress=False)
    assert time.monotonic() - t0 < 30
    recs = {r["task_id"]: r for r in map(json.loads, lines(tmp_path / "run"))}
    assert recs["hang-0-alpha"]["exit_reason"] == "timeout" and not recs["hang-0-alpha"]["success"]
    assert recs["count-1-gamma"]["success"]  # a fresh worker took over
    hung_pid = recs["hang-0-alpha"]["worker_pid"]
    with pytest.raises(ProcessLookupError):
        os.kill(hung_pid, 0)
    traj = json.loads(trajectory_path(tmp_path / "run", "hang-0-alpha", 0).read_text())
    assert traj["exit_reason"] == "timeout"


def _start(tmp_path: Path, out: Path, acts: str, step_s: float) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, str(TOY), "eval", "--suite", "toy", "--agent", "replay", "--actions", acts,
           "--split", "test", "--samples", "2", "--max-steps", "10", "--no-progress", "--out", str(out)]
    env = {**os.environ, "TOY_STEP_S": str(step_s)}
    # a run started from a background job inherits SIGINT ignored; a user's Ctrl-C meets the default disposition
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_lines(out: Path, n: int, proc: subprocess.Popen[bytes], limit_s: float = 60) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        if (out / "results.jsonl").exists() and len(lines(out)) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} episodes after {limit_s}s")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_resume_after_kill_reruns_nothing_finished(tmp_path: Path, sig: int) -> None:
    out, acts = tmp_path / "run", toysuite.write_actions(tmp_path / "a.txt", 2)
    proc = _start(tmp_path, out, acts, step_s=0.15)
    try:
        _wait_for_lines(out, 3, proc)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, err.decode()
    before = lines(out)
    finished = [json.loads(x) for x in before]
    assert 3 <= len(finished) < 12, "the kill came too late to test a resume"
    mtimes = {(r["task_id"], r["sample"]): trajectory_path(out, r["task_id"], r["sample"]).stat().st_mtime_ns
              for r in finished}
    proc2 = _start(tmp_path, out, acts, step_s=0.0)
    try:
        stdout, err = proc2.communicate(timeout=120)
    finally:
        proc2.kill()
    assert proc2.returncode == 0, err.decode()
    after = lines(out)
    assert after[: len(before)] == before  # nothing finished was rewritten
    recs = [json.loads(x) for x in after]
    assert len(recs) == 12 and len({(r["task_id"], r["sample"]) for r in recs}) == 12  # no episode played twice
    for key, mtime in mtimes.items():
        assert trajectory_path(out, *key).stat().st_mtime_ns == mtime
    assert "resuming" in err.decode() and "overall" in stdout.decode()


def test_resume_refuses_changed_settings_unless_forced(tmp_path: Path, toy: str) -> None:
    acts = toysuite.write_actions(tmp_path / "a.txt", 1)
    run_eval(config(tmp_path / "run", acts, toy, tasks=TASKS[:2]), progress=False)
    with pytest.raises(ValueError, match=r"refusing to resume .*samples: 1 -> 2.*--force"):
        run_eval(config(tmp_path / "run", acts, toy, tasks=TASKS[:2], samples=2), progress=False)
    summary = run_eval(config(tmp_path / "run", acts, toy, tasks=TASKS[:2], samples=2), force=True, progress=False)
    assert summary["n"] == 4 and len(lines(tmp_path / "run")) == 4
    assert json.loads((tmp_path / "run" / "run.json").read_text())["settings"]["previous"]["samples"] == 1


def test_resume_over_a_torn_line(tmp_path: Path, toy: str) -> None:
    acts = toysuite.write_actions(tmp_path / "a.txt", 2)
    out = tmp_path / "run"
    run_eval(config(out, acts, toy, tasks=TASKS[:3]), progress=False)
    text = (out / "results.jsonl").read_text()
    torn = text[: len(text) - 40]  # the last record cut mid-write, no newline
    (out / "results.jsonl").write_text(torn)
    summary = run_eval(config(out, acts, toy, tasks=TASKS[:3]), progress=False)
    assert summary["n"] == 3
    run = load_run(out)
    assert run.skipped_lines == 1 and any("skipped 1 unreadable line" in n for n in run.notes)
    assert (out / "results.jsonl").read_text().startswith(torn + "\n")  # the torn line is left as it was
