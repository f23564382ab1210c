"""Forum, code and cross-site task templates: valid WebArena-format tasks, sound milestones, and oracles
that solve them through the real env (a sample in Chromium; one task of every template browserless)."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest

from mira.arena.db import fresh_db
from mira.arena.milestones import validate_check
from mira.arena.tasks import TEMPLATES, generate_tasks, load_templates

RANGES = {"forum": range(300, 400), "code": range(400, 500), "cross": range(500, 600)}
LOCATOR = re.compile(r"^(|document\.querySelector\('#[\w-]+'\)\.outerText)$")
PLACEHOLDER = re.compile(r"^__(FORUM|CODE|SHOP)__/")


@pytest.fixture(scope="module")
def tasks() -> list[dict[str, Any]]:
    return [t for t in generate_tasks(fresh_db()) if 300 <= t["intent_template_id"] < 600]


def test_enough_templates_and_instances(tasks: list[dict[str, Any]]) -> None:
    load_templates()
    per = collections.Counter(t["intent_template_id"] for t in tasks)
    for group, ids in RANGES.items():
        mine = [i for i in TEMPLATES if i in ids]
        assert len(mine) >= (5 if group == "cross" else 14), group
        held_out = [i for i in mine if TEMPLATES[i].test_only]
        assert 1 <= len(held_out) <= 2, (group, held_out)
        for i in mine:
            assert 10 <= per[i] <= 12, (i, per[i])
    for t in tasks:
        tpl = TEMPLATES[t["intent_template_id"]]
        if tpl.test_only:
            assert t["split"] == "test"
    by_tpl = collections.defaultdict(set)
    for t in tasks:
        by_tpl[t["intent_template_id"]].add(t["intent"])
    assert all(len(v) == per[k] for k, v in by_tpl.items()), "instances of a template must differ"
    kinds = collections.Counter(TEMPLATES[i].kind for i in per)
    assert kinds["info"] >= 8 and kinds["nav"] >= 3 and kinds["state"] >= 20, kinds


def test_tasks_are_valid_webarena_configs(tasks: list[dict[str, Any]]) -> None:
    for t in tasks:
        for key in ("task_id", "sites", "intent", "intent_template", "instantiation_dict", "start_url", "eval",
                    "milestones", "require_login"):
            assert key in t, (t["task_id"], key)
        assert PLACEHOLDER.match(t["start_url"]), t["start_url"]
        assert "{{" not in t["intent"] and "'" not in t["intent"].replace("'s ", "")
        ev = t["eval"]
        assert ev["eval_types"] and set(ev["eval_types"]) <= {"string_match", "url_match", "program_html"}
        if "string_match" in ev["eval_types"]:
            ref = ev["reference_answers"]
            assert ref.get("exact_match") or ref.get("must_include"), t["task_id"]
        if "url_match" in ev["eval_types"]:
            assert PLACEHOLDER.match(ev["reference_url"]) and ev["url_note"] == "GOLD in PRED"
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
            if m["check"]["kind"] == "url":
                re.compile(m["check"]["pattern"])
        last = ms[-1]["check"]
        if t["kind"] == "info":
            assert last["kind"] == "answer", t["task_id"]
        if t["kind"] == "state":
            assert last["kind"] == "db", t["task_id"]
        for m in ms:
            if m["check"]["kind"] == "db":  # valid SQL, and not already true: the task must change something
                row = db.one(m["check"]["sql"], tuple(m["check"].get("params", ())))
                assert not (row is not None and row[0]), (t["task_id"], m["description"])


def _sample(tasks: list[dict[str, Any]], per_template: int) -> list[dict[str, Any]]:
    seen: collections.Counter[int] = collections.Counter()
    out = []
    for t in tasks:
        if seen[t["intent_template_id"]] < per_template:
            seen[t["intent_template_id"]] += 1
            out.append(t)
    return out


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


REAL_BROWSER_SAMPLE = (300, 311, 317, 404, 419, 503)
"""Templates whose first task the oracle solves in Chromium: info, reply, the longest forum task, paging, the longest
code task, and a cross-site task through the shop."""


@pytest.mark.browser
@pytest.mark.parametrize("template_id", REAL_BROWSER_SAMPLE)
def test_oracle_solves_in_the_real_browser(tasks: list[dict[str, Any]], template_id: int) -> None:
    task = next(t for t in tasks if t["intent_template_id"] == template_id)
    traj = _solve(task)
    assert traj.success, (task["intent"], traj.exit_reason, traj.info)
    assert traj.progress and all(traj.progress), traj.progress
    assert len(traj.steps) >= 3


def test_oracle_solves_every_template_browserless(tasks: list[dict[str, Any]]) -> None:
    import mira.arena.browserless as browserless

    if not hasattr(browserless, "StaticBrowser"):  # the lead's browserless env mode is still being written
        pytest.skip("mira.arena.browserless.StaticBrowser is not there yet (make_arena_env(browserless=True))")
    failures = []
    for task in _sample(tasks, 1):
        traj = _solve(task, browserless=True)
        if not (traj.success and all(traj.progress)):
            failures.append((task["task_id"], task["intent"], traj.exit_reason, traj.progress))
    assert not failures, failures
