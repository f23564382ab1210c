"""The demo's pieces, and the whole demo in miniature (a random tiny start, one short phase, two tasks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mira.env import get_suite
from mira.train.demo import DemoConfig, held_out_tasks, mean_std, validation_tasks
from mira.train.demo_report import rollouts_to_match, run_demo, table
from mira.train.models import TinySpec, build_tiny, save_policy, train_tokenizer


def test_test_tasks_spread_over_templates() -> None:
    suite = get_suite("arena")
    picked = held_out_tasks(90)
    templates = [suite.load_task(t).config["intent_template_id"] for t in picked]
    assert len(picked) == 90 and len(set(picked)) == 90
    assert len(set(templates)) == len({suite.load_task(t).config["intent_template_id"] for t in suite.task_ids("test")})
    assert set(picked) <= set(suite.task_ids("test"))
    assert held_out_tasks(0) == suite.task_ids("test")


def test_validation_tasks_are_other_test_tasks() -> None:
    val, test = validation_tasks(64), held_out_tasks(64)
    assert len(set(val)) == 64 and not set(val) & set(test)
    assert set(val) <= set(get_suite("arena").task_ids("test"))


def test_mean_std_and_rollouts_to_match() -> None:
    assert mean_std([0.2, 0.4]) == {"mean": 0.3, "std": 0.1, "runs": [0.2, 0.4]}
    assert mean_std([0.5])["std"] == 0.0
    # 14/64, 13/64, 14/64 as an eval summary saves them (0.2188, 0.2031, 0.2188): the same mean either way
    assert mean_std([14 / 64, 13 / 64, 14 / 64])["mean"] == mean_std([0.2188, 0.2031, 0.2188])["mean"] == 0.2136
    curve = [{"rollouts": 32, "mean": 0.1}, {"rollouts": 64, "mean": 0.3}, {"rollouts": 96, "mean": 0.2}]
    assert rollouts_to_match(curve, 0.25) == 64 and rollouts_to_match(curve, 0.5) is None


def test_table_has_the_papers_shape() -> None:
    row = {"mean": 0.25, "std": 0.05, "by_site": {"forum": 0.5, "shop": 0.0}, "long": {"mean": 0.1}}
    text = table({"sft": row, "mira": row})
    lines = text.splitlines()
    assert lines[0].split() == ["method", "forum", "shop", "long", "avg"]
    assert lines[2].startswith("SFT (start)") and "25.0 +- 5.0" in lines[3]


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("start")
    tok = train_tokenizer(["click link 'Forums' type textbox 'Search' stop go back Goal: URL: Previous: none"] * 3, 300)
    save_policy(build_tiny(tok, TinySpec(vocab_size=300, hidden=32, layers=1), seed=0), tok, folder / "policy")
    return folder


def test_demo_end_to_end_in_miniature(start: Path, tmp_path: Path) -> None:
    cfg = DemoConfig(out=tmp_path / "demo", start=start, seeds=(0, 1), test_tasks=2, phases=1, rollouts_per_phase=2,
                     max_steps=3, workers=1)
    results, path, report, text = run_demo(cfg, say=lambda msg: None)
    saved = json.loads(path.read_text())
    for m in ("base", "sft", "webrl", "mira"):
        assert set(saved[m]) >= {"mean", "std", "runs", "by_site", "long"} and len(saved[m]["runs"]) == 2
        assert 0.0 <= saved[m]["mean"] <= 1.0
    assert [c["rollouts"] for c in saved["curves"]["mira"]] == [0, 2]
    assert saved["test_tasks"] == 2 and report is not None and report.is_file()
    assert "MiRA" in text and "failure modes" in text
    for run in ("mira-s0", "webrl-s1"):
        assert (tmp_path / "demo" / run / "eval" / "phase-1" / "results.jsonl").is_file()
