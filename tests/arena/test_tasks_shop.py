"""Shop and shop-admin task templates: valid WebArena-format tasks, sound milestones, and oracles that solve
them through the real env (a sample in Chromium; one task of every template browserless when available)."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest

from mira.arena.db import fresh_db
from mira.arena.milestones import validate_check
from mira.arena.tasks import TEMPLATES, generate_tasks, load_templates

RANGES = {"shop": range(100, 200), "shop_admin": range(200, 300)}
LOCATOR = re.compile(r"^(|document\.querySelector\('#[\w-]+'\)\.outerText)$")
PLACEHOLDER = re.compile(r"^__(SHOP|SHOP_ADMIN)__/")


@pytest.fixture(scope="module")
def tasks() -> list[dict[str, Any]]:
    return [t for t in generate_tasks(fresh_db()) if 100 <= t["intent_template_id"] < 300]


def test_enough_templates_and_instances(tasks: list[dict[str, Any]]) -> None:
    load_templates()
    per = collections.Counter(t["intent_template_id"] for t in tasks)
    for site, ids in RANGES.items():
        mine = [i for i in TEMPLATES if i in ids]
        assert len(mine) >= (18 if site == "shop" else 14), site
        assert all(TEMPLATES[i].sites == (site,) for i in mine)
        assert len([i for i in mine if TEMPLATES[i].test_only]) == 2, site
        for i in mine:
            assert 10 <= per[i] <= 12, (i, per[i])
    for t in tasks:
        if TEMPLATES[t["intent_template_id"]].test_only:
            assert t["split"] == "test"
    intents = collections.defaultdict(set)
    for t in tasks:
        intents[t["intent_template_id"]].add(t["intent"])
    assert all(len(v) == per[k] for k, v in intents.items()), "instances of a template must differ"
    kinds = collections.Counter(TEMPLATES[i].kind for i in per)
    assert kinds["info"] >= 10 and kinds["nav"] >= 5 and kinds["state"] >= 14, kinds


def test_generation_is_deterministic(tasks: list[dict[str, Any]]) -> None:
    again = [t for t in generate_tasks(fresh_db()) if 100 <= t["intent_template_id"] < 300]
    assert again == tasks


def test_tasks_are_valid_webarena_configs(tasks: list[dict[str, Any]]) -> None:
    for t in tasks:
        for key in ("task_id", "sites", "intent", "intent_template", "instantiation_dict", "start_url", "eval",
                    "milestones", "require_login", "split"):
            assert key in t, (t["task_id"], key)
        assert PLACEHOLDER.match(t["start_url"]) and "{{" not in t["intent"]
        ev = t["eval"]
        assert ev["eval_types"] and set(ev["eval_types"]) <= {"string_match", "url_match", "program_html"}
        if "string_match" in ev["eval_types"]:
            assert all(ev["reference_answers"]["must_include"]), t["task_id"]
        if "url_match" in ev["eval_types"]:
            assert all(PLACEHOLDER.match(u) for u in ev["reference_url"].split(" |OR| "))
            assert ev["url_note"] == "GOLD in PRED"
        for c in ev["program_html"]:
            assert c["url"] == "last" or PLACEHOLDER.match(c["url"]), c
            assert LOCATOR.match(c["locator"]), c["locator"]
            assert all(c["required_contents"]["must_include"]), c


def test_milestones_are_ordered_checks_that_start_false(tasks: list[dict[str, Any]]) -> None:
    db = fresh_db()
    for t in tasks:
        ms = t["milestones"]
        assert 2 <= len(ms) <= 6, (t["task_id"], len(ms))
        for m in ms:
            assert m["description"] and isinstance(m["description"], str)
            validate_check(m["check"])
            if m["check"]["kind"] in ("url", "url_now"):
                re.compile(m["check"]["pattern"])
            if m["check"]["kind"] == "db":  # valid SQL, and not already true: the task must change something
                row = db.one(m["check"]["sql"], tuple(m["check"].get("params", ())))
                assert not (row is not None and row[0]), (t["task_id"], m["description"])
        last = ms[-1]["check"]["kind"]
        assert last == {"info": "answer", "state": "db", "nav": "url"}[t["kind"]], (t["task_id"], last)


def _solve(task: dict[str, Any], **options: Any) -> Any:
    from mira.arena.env import make_arena_env
    from mira.arena.oracle import OracleAgent
    from mira.arena.suite import to_task
    from mira.rollout import run_episode

    env = make_arena_env(to_task(task), **options)
    try:
        return run_episode(env, OracleAgent(), max_steps=40)
    finally:
        env.close()


REAL_BROWSER_SAMPLE = (104, 113, 116, 204, 211, 215)
"""Templates whose first task the oracle solves in Chromium: paging through orders, a review form, a
checkout of two products, a report, moderation, and a multi-product admin edit."""


@pytest.mark.browser
@pytest.mark.parametrize("template_id", REAL_BROWSER_SAMPLE)
def test_oracle_solves_in_the_real_browser(tasks: list[dict[str, Any]], template_id: int) -> None:
    task = next(t for t in tasks if t["intent_template_id"] == template_id)
    traj = _solve(task)
    assert traj.success, (task["intent"], traj.exit_reason, traj.info)
    assert all(traj.progress), (task["intent"], traj.progress)


def test_oracle_solves_one_task_of_every_template_browserless(tasks: list[dict[str, Any]]) -> None:
    from mira.arena import browserless

    if not hasattr(browserless, "StaticBrowser"):
        pytest.skip("the browserless arena mode is not available yet")
    seen: set[int] = set()
    failures = []
    for t in tasks:
        if t["intent_template_id"] in seen:
            continue
        seen.add(t["intent_template_id"])
        traj = _solve(t, browserless=True)
        if not (traj.success and all(traj.progress)):
            failures.append((t["task_id"], t["intent"], traj.exit_reason, traj.progress))
    assert not failures, failures
