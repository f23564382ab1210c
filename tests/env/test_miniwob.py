"""MiniWoB++ in mira's browser: rewards, seeds, listing, and no leaked Chromium."""

from __future__ import annotations

import re

import pytest

from mira.env import get_suite, load_task, make_env


def test_listing_and_unknown_task() -> None:
    suite = get_suite("miniwob")
    ids = suite.task_ids()
    assert len(ids) >= 125 and {"click-test", "enter-text", "search-engine"} <= set(ids)
    assert suite.task_ids("all") == ids
    task = load_task("miniwob/click-test")
    assert task.id == "miniwob/click-test" and task.start_url.startswith("file://")
    with pytest.raises(KeyError, match="unknown miniwob task 'nope'"):
        suite.load_task("nope")
    with pytest.raises(ValueError, match="unknown miniwob split"):
        suite.task_ids("train")
    with pytest.raises(ValueError, match="unknown web env option"):
        suite.make_env("click-test", colour="red")


def test_solved_tasks_give_positive_reward() -> None:
    with make_env("miniwob/click-test") as env:
        obs = env.reset(seed=5)
        assert obs.goal == "Click the button." and env.task.goal == obs.goal
        button = re.search(r"\[(\d+)\] button 'Click Me!'", obs.text).group(1)
        res = env.step(f"click [{button}]")
        assert res.reward == 1.0 and res.terminated and res.info["success"] is True
    with make_env("miniwob/enter-text") as env:
        obs = env.reset(seed=11)
        word = re.search(r'Enter "(.+)" into', obs.goal).group(1)
        box, submit = re.search(r"\[(\d+)\] textbox", obs.text).group(1), re.search(r"\[(\d+)\] button 'Submit'", obs.text).group(1)
        first = env.step(f"type [{box}] [{word}] [0]")
        assert first.reward == 0 and not first.terminated and f"value='{word}'" in first.obs.text
        res = env.step(f"click [{submit}]")
        assert res.reward == 1.0 and res.info["success"] is True


def test_wrong_answer_and_stop() -> None:
    with make_env("miniwob/enter-text") as env:
        obs = env.reset(seed=11)
        submit = re.search(r"\[(\d+)\] button 'Submit'", obs.text).group(1)
        res = env.step(f"click [{submit}]")  # nothing typed: MiniWoB's failure reward
        assert res.terminated and res.reward == -1.0 and res.info["success"] is False
        env.reset(seed=11)
        res = env.step("stop [I give up]")
        assert res.terminated and res.reward == 0 and res.info == {**res.info, "success": False, "answer": "I give up"}


def test_seeds_are_honoured() -> None:
    with make_env("miniwob/click-checkboxes") as env:
        a, b, c = env.reset(seed=3), env.reset(seed=3), env.reset(seed=4)
        assert (a.text, a.goal) == (b.text, b.goal)
        assert (a.text, a.goal) != (c.text, c.goal)


def test_no_chromium_outlives_its_env(chromium_pids) -> None:
    before = chromium_pids()
    with make_env("miniwob/click-test") as env:
        env.reset(seed=0)
        during = chromium_pids() - before
        assert during, "Chromium should be running during the episode"
        env.reset(seed=1)  # a new context (new renderers), the same browser process
        assert min(during) in chromium_pids()
    assert not (chromium_pids() & during), "Chromium processes left after the env closed"
