"""report.html in real headless Chromium: it renders, logs no console errors, shows summary.json's numbers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import toysuite

from mira.eval.analysis import analyze_run
from mira.eval.harness import run_eval
from mira.eval.report import write_analysis
from mira.eval.runs import load_run, trajectory_path
from mira.eval.summary import pct
from mira.eval.worker import EvalConfig

pytestmark = pytest.mark.browser


def make_run(tmp_path: Path, name: str, clicks: int, screenshots: bool = False) -> Path:
    acts = toysuite.write_actions(tmp_path / f"{name}.txt", clicks)
    out = tmp_path / name
    cfg = EvalConfig(suite="toy", tasks=tuple(toysuite.TASKS), out=out, agent="replay",
                     agent_kwargs={"actions_file": acts}, samples=2, workers=2, suite_path=toysuite.register(),
                     env_options={"screenshots": screenshots})
    run_eval(cfg, progress=False)
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("report")
    run, other = make_run(tmp, "run_a", 3, screenshots=True), make_run(tmp, "run_b", 2)
    step0 = json.loads(trajectory_path(run, "count-2-alpha", 0).read_text())["steps"][0]["info"]
    assert step0["screenshot"] == "trajectories/count-2-alpha__0/0.png"  # saved by the harness, relative to the run
    paths = write_analysis(analyze_run(load_run(run)), [analyze_run(load_run(other))])
    from mira.env.browser import shared_browser

    session = shared_browser().new_session()
    errors: list[str] = []
    page = session.page
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"request {r.url}") if not r.url.startswith(("file:", "data:")) else None)
    page.goto(paths["report"].as_uri())
    cells = page.eval_on_selector_all("[data-key]", "els => els.map(e => [e.dataset.run, e.dataset.key, "
                                      "e.dataset.value, e.textContent])")
    info = {
        "errors": errors, "cells": cells, "summary": json.loads((run / "summary.json").read_text()),
        "svgs": page.eval_on_selector_all("svg", "els => els.map(e => e.getBoundingClientRect().width)"),
        "episodes": page.eval_on_selector_all("details.ep", "els => els.length"),
        "labels": page.eval_on_selector_all("[data-label]", "els => els.map(e => e.dataset.label)"),
        "img": page.eval_on_selector_all("img.shot", "els => els.map(e => [e.naturalWidth, e.naturalHeight])"),
        "title": page.title(), "failures": json.loads(paths["failures"].read_text()),
    }
    session.close()
    return info


def test_renders_without_console_errors(report: dict[str, Any]) -> None:
    assert report["errors"] == []
    assert report["title"].startswith("mira report")
    assert len(report["svgs"]) >= 3 and all(w > 100 for w in report["svgs"])  # bar chart + two heatmaps
    assert report["episodes"] == 12
    # every step's screenshot is embedded and decodes: the toy page draws its counter as the image width
    assert sorted(report["img"]) == sorted([[w, 3] for w in (1, 2, 3, 4)] * 12)


def test_numbers_match_summary_json(report: dict[str, Any]) -> None:
    s = report["summary"]
    shown = {key: (value, text) for run, key, value, text in report["cells"] if run == "run_a"}
    assert shown["n"] == (str(s["n"]), str(s["n"]))
    assert float(shown["success_rate"][0]) == s["success_rate"] and shown["success_rate"][1] == pct(s["success_rate"]) + "%"
    assert float(shown["avg_steps"][0]) == s["avg_steps"]
    assert float(shown["milestones_reached"][0]) == s["milestones_reached"]
    for site, rate in s["by_site"].items():
        assert float(shown[f"by_site.{site}"][0]) == rate and shown[f"by_site.{site}"][1] == pct(rate)
    for k, v in s["pass_at_k"].items():
        assert float(shown[f"pass_at_k.{k}"][0]) == v
    for label, count in report["failures"]["counts"].items():
        assert int(shown[f"failures.{label}"][0]) == count
    assert sorted(report["labels"]) == sorted(e["label"] for e in report["failures"]["episodes"])
