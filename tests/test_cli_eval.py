"""`mira eval`, `mira analyze`, `mira compare` from the command line (toy suite), including bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "eval"))
import toysuite

from mira.cli import main


@pytest.fixture(autouse=True)
def toy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toysuite.register()
    monkeypatch.chdir(tmp_path)


def eval_args(acts: str, *extra: str) -> list[str]:
    return ["eval", "--suite", "toy", "--split", "test", "--agent", "replay", "--actions", acts, "--no-progress", *extra]


def test_eval_analyze_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acts3, acts2 = toysuite.write_actions("a3.txt", 3), toysuite.write_actions("a2.txt", 2)
    assert main(eval_args(acts3, "--workers", "2")) == 0
    out = capsys.readouterr().out
    run = tmp_path / "runs" / "eval" / "toy-test-replay"  # default folder: named by settings, not time
    assert "overall" in out and "33.3" in out and str(run.relative_to(tmp_path)) in out
    assert main(eval_args(acts3)) == 0  # same command again: resumes, plays nothing
    assert len((run / "results.jsonl").read_text().splitlines()) == 6
    assert main(eval_args(acts2, "--out", "b")) == 0
    capsys.readouterr()

    assert main(["analyze", str(run), "--compare", "b"]) == 0
    out = capsys.readouterr().out
    assert "wrong_termination" in out and (run / "analysis" / "report.html").is_file()
    failures = json.loads((run / "analysis" / "failures.json").read_text())
    assert failures["counts"]["wrong_termination"] == 4 and len(failures["episodes"]) == 4

    assert main(["compare", str(run), "b", "--json", "cmp.json"]) == 0
    out = capsys.readouterr().out
    assert "count-2-alpha" in out and "+100.0" in out and "-100.0" in out
    cmp = json.loads(Path("cmp.json").read_text())
    assert cmp["by_task"]["count-3-alpha"] == {"values": [1.0, 0.0], "diff": -1.0}


def test_analyze_with_llm_analyzer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acts = toysuite.write_actions("a.txt", 2)
    assert main(eval_args(acts, "--tasks", "count-3-alpha,count-4-beta", "--out", "r")) == 0
    Path("replies.json").write_text(json.dumps(['{"label": "stuck_midway", "off_track_step": 1, "reason": "r"}'] * 2))
    assert main(["analyze", "r", "--llm", "scripted:replies.json"]) == 0
    eps = json.loads(Path("r/analysis/failures.json").read_text())["episodes"]
    assert [(e["label"], e["off_track_step"], e["source"]) for e in eps] == [("stuck_midway", 1, "llm")] * 2


@pytest.mark.parametrize(("args", "message"), [
    (["eval", "--suite", "toy", "--tasks", "count-9-zeta", "--agent", "oracle"], "unknown task id(s) in suite 'toy'"),
    (["eval", "--suite", "toy", "--split", "dev", "--agent", "oracle"], "no split 'dev'; valid splits: test"),
    (["eval", "--suite", "nope", "--agent", "oracle"], "unknown suite 'nope'"),
    (["analyze", "."], "not a run folder: no results.jsonl"),
    (["analyze", "missing"], "run folder not found"),
    (["compare", "."], "at least two run folders"),
    (["eval", "--suite", "toy", "--split", "test", "--agent", "oracle", "--env-option", "fast"], "takes KEY=VALUE"),
])
def test_bad_input_is_a_clear_error(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_changed_settings_refused(capsys: pytest.CaptureFixture[str]) -> None:
    acts = toysuite.write_actions("a.txt", 1)
    assert main(eval_args(acts, "--tasks", "count-1-gamma", "--out", "r")) == 0
    assert main(eval_args(acts, "--tasks", "count-1-gamma", "--out", "r", "--max-steps", "5")) == 2
    assert "refusing to resume r" in capsys.readouterr().err
