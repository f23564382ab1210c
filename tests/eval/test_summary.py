"""Summary numbers: Pass@k, per-site rates (paper columns), milestones, tokens."""

from __future__ import annotations

import pytest

from mira.eval.summary import AVG, by_site, format_table, pass_at_k, summarize


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (5, 2, 1, 0.4), (5, 0, 3, 0.0), (5, 5, 5, 1.0), (4, 1, 2, 0.5), (2, 1, 2, 1.0), (10, 3, 4, 1 - 35 / 210),
])
def test_pass_at_k_unbiased(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize(("n", "c", "k"), [(3, 4, 1), (3, 1, 0), (3, 1, 4)])
def test_pass_at_k_rejects_bad_counts(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError, match="pass_at_k needs"):
        pass_at_k(n, c, k)


def rec(task: str, site: str, ok: bool, sample: int = 0, suite: str = "webarena-lite", **kw: object) -> dict:
    return {"task_id": task, "site": site, "success": ok, "sample": sample, "suite": suite, **kw}


def test_webarena_lite_paper_columns_and_overall_average() -> None:
    records = [rec("1", "Reddit", True), rec("2", "Reddit", False), rec("3", "Gitlab", True),
               rec("4", "multi", True), rec("5", "Map", False)]
    sites = by_site(records)
    assert list(sites)[:5] == ["Reddit", "Gitlab", "CMS", "Map", "OSS"]
    assert sites["Reddit"] == 0.5 and sites["Gitlab"] == 1.0 and sites["Map"] == 0.0
    assert sites["CMS"] is None and sites["OSS"] is None  # no task ran: shown, not invented
    assert sites["multi"] == 1.0
    assert sites[AVG] == 0.6  # over all tasks, multi included


def test_summarize_numbers() -> None:
    records = [
        rec("a", "shop", True, 0, "arena", steps=4, milestones_total=4, milestones_reached=4, tokens=100, cost=0.5),
        rec("a", "shop", False, 1, "arena", steps=10, milestones_total=4, milestones_reached=1, tokens=50, cost=0.25),
        rec("b", "forum", False, 0, "arena", steps=6, milestones_total=2, milestones_reached=0, tokens=0),
        rec("b", "forum", False, 1, "arena", steps=2, milestones_total=0, milestones_reached=0),
    ]
    s = summarize(records)
    assert s["n"] == 4 and s["tasks"] == 2 and s["samples"] == 2
    assert s["success_rate"] == 0.25
    assert s["by_site"] == {"forum": 0.0, "shop": 0.5}
    assert s["avg_steps"] == 5.5
    assert s["milestones_reached"] == pytest.approx((1 + 0.25 + 0) / 3, abs=1e-4)  # episodes without milestones left out
    assert s["tokens"] == 150 and s["cost"] == 0.75
    assert s["pass_at_k"] == {"1": 0.25, "2": 0.5}
    table = format_table(s)
    assert "overall" in table and "25.0" in table and "pass@2" in table


def test_mixed_suites_keep_sites_apart() -> None:
    sites = by_site([rec("1", "shop", True, suite="arena"), rec("1", "shop", False, suite="other")])
    assert sites == {"arena:shop": 1.0, "other:shop": 0.0}


def test_empty_summary() -> None:
    s = summarize([])
    assert s["n"] == 0 and s["success_rate"] == 0.0 and "pass_at_k" not in s


def test_usage_from_agent_call_records() -> None:
    from mira.eval.worker import usage
    from mira.types import Step, Trajectory

    calls = [{"role": "planner", "prompt_tokens": 100, "completion_tokens": 20, "cost": 0.01},
             {"role": "actor", "prompt_tokens": 50, "completion_tokens": 5, "cost": 0.002}]
    t = Trajectory("x", steps=[Step("click [1]", info={"llm_calls": calls}), Step("stop []", info={"tokens": 7})])
    assert usage(t) == (182, pytest.approx(0.012))
    t.info["tokens"], t.info["cost"] = 999, 1.5  # an agent's own totals win
    assert usage(t) == (999, 1.5)
