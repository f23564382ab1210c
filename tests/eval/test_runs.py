"""Bad run folders: partial, corrupt lines, mixed suites, missing trajectories; read without being rewritten."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from synth import write_run

from mira.eval.analysis import analyze_run
from mira.eval.compare import compare_runs
from mira.eval.report import write_analysis
from mira.eval.runs import load_run, trajectory_path


def snapshot(run_dir: Path) -> dict[str, str]:
    """Hash of every file outside analysis/."""
    return {str(p.relative_to(run_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run_dir.rglob("*")) if p.is_file() and "analysis" not in p.parts}


def test_corrupt_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    write_run(tmp_path, 5)
    with open(tmp_path / "results.jsonl", "a") as f:
        f.write('{"task_id": "task-9", "sam\n[1, 2]\n{"task_id": "x"}\n{"task_id": "y", "sample": "two", "success": 1}\n')
    run = load_run(tmp_path)
    assert len(run.records) == 5 and run.skipped_lines == 4
    note = next(n for n in run.notes if "unreadable line" in n)
    assert "skipped 4" in note and "line 6: not JSON" in note and "missing field(s) sample, success" in note


def test_partial_run_is_reported(tmp_path: Path) -> None:
    write_run(tmp_path, 4)
    settings = {"suite": "arena", "tasks": [f"task-{i}" for i in range(10)], "samples": 2}
    (tmp_path / "run.json").write_text(json.dumps({"settings": settings}))
    assert any("partial run: 4 of 20 planned episodes" in n for n in load_run(tmp_path).notes)


def test_mixed_suites_are_reported(tmp_path: Path) -> None:
    write_run(tmp_path, 3)
    rec = {"task_id": "click-test", "suite": "miniwob", "site": "", "sample": 0, "success": True}
    with open(tmp_path / "results.jsonl", "a") as f:
        f.write(json.dumps(rec) + "\n")
    run = load_run(tmp_path)
    assert any("results mix suites: arena (3), miniwob (1)" in n for n in run.notes)
    assert any("run.json says suite 'arena'" in n for n in run.notes)


def test_missing_and_corrupt_trajectories_are_counted(tmp_path: Path) -> None:
    write_run(tmp_path, 40, seed=3)
    run = load_run(tmp_path)
    failed = [r for r in run.records if not r["success"]]
    trajectory_path(tmp_path, failed[0]["task_id"], 0).unlink()
    trajectory_path(tmp_path, failed[1]["task_id"], 0).write_text('{"task_id": ')
    analysis = analyze_run(run)
    assert analysis.skipped == 2 and len(analysis.labels) == len(failed) - 2
    assert any("1 trajectory file(s) missing" in n for n in run.notes)
    assert any("1 trajectory file(s) unreadable" in n for n in run.notes)


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a run folder: no results.jsonl"):
        load_run(tmp_path)
    with pytest.raises(FileNotFoundError, match="run folder not found"):
        load_run(tmp_path / "nope")


def test_analysis_and_compare_never_rewrite_the_run(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_run(a, 30, seed=1)
    write_run(b, 30, seed=2)
    with open(a / "results.jsonl", "a") as f:
        f.write("{torn")
    before_a, before_b = snapshot(a), snapshot(b)
    main, other = analyze_run(load_run(a)), analyze_run(load_run(b))
    paths = write_analysis(main, [other])
    compare_runs([load_run(a), load_run(b)])
    assert snapshot(a) == before_a and snapshot(b) == before_b
    assert not (b / "analysis").exists()
    assert all(p.parent == a / "analysis" for p in paths.values())
    failures = json.loads(paths["failures"].read_text())
    assert sum(failures["counts"].values()) == len(failures["episodes"]) == sum(
        1 for r in main.run.records if not r["success"])
    assert "skipped 1 unreadable line" in " ".join(failures["notes"])
