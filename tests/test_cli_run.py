"""`mira run` replays an action file against real MiniWoB and writes the trajectory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("task", "seed"), [("click-test", None), ("enter-text", 7)])
def test_mira_run_replays_actions(tmp_path: Path, task: str, seed: int | None) -> None:
    cmd = [str(Path(sys.executable).with_name("mira")), "run", "--suite", "miniwob", "--task", task,
           "--actions", str(ROOT / "examples" / "miniwob" / f"{task}.actions"), "--out", str(tmp_path)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert f"trajectory: {tmp_path / 'trajectory.json'}" in proc.stdout
    assert "outcome: success (reward 1" in proc.stdout
    traj = json.loads((tmp_path / "trajectory.json").read_text())
    assert traj["task_id"] == f"miniwob/{task}" and traj["success"] is True and traj["goal"]
    assert traj["steps"] and all(s["action"] and not s["error"] for s in traj["steps"])
