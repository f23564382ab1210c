"""ScienceWorld suite: ids and splits without a JVM, then one real JVM env (started once) for the episode tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mira.env import get_suite, make_env
from mira.env.scienceworld import ScienceWorldEnv, _variations, parse_goal_progress

SUITE = get_suite("scienceworld")
needs_java = pytest.mark.skipif(not SUITE.availability().ok, reason=SUITE.availability().reason)

PROGRESS = """Completed keys:
----------------------------------------------------------------------------------------------------
Sequential Subgoals:
----------------------------------------------------------------------------------------------------
0\ttrue\t                                GoalFind\tfocus on substance
1\tfalse\t                 GoalChangeStateOfMatter\tsubstance is in a liquid state
----------------------------------------------------------------------------------------------------
Unordered and Optional Subgoals:
----------------------------------------------------------------------------------------------------
0\ttrue\t                    GoalInRoomWithObject\tbe in same location as water
"""


def test_ids_and_splits_come_from_scienceworld_variations() -> None:
    assert len(SUITE.task_ids()) == 7207
    assert [len(SUITE.task_ids(s)) for s in ("train", "dev", "test")] == [3592, 1796, 1819]
    assert len({i.rsplit("-", 1)[0] for i in SUITE.task_ids()}) == 30
    assert "boil-0" in SUITE.task_ids("train") and "boil-0" not in SUITE.task_ids("test")
    with pytest.raises(ValueError, match="valid: train, dev, test"):
        SUITE.task_ids("val")


def test_load_task_forms_and_errors() -> None:
    t = SUITE.load_task("chemistry-mix-paint-secondary-color-12")
    assert t.id == "scienceworld/chemistry-mix-paint-secondary-color-12"
    assert t.config == {"task_name": "chemistry-mix-paint-secondary-color", "variation": 12}
    assert SUITE.load_task("boil").config["variation"] is None
    with pytest.raises(KeyError, match="variations 0..29"):
        SUITE.load_task("boil-30")
    with pytest.raises(KeyError, match="TASK or TASK-VARIATION"):
        SUITE.load_task("bake-a-cake")


def test_parse_goal_progress_keeps_only_sequential_subgoals_in_order() -> None:
    assert parse_goal_progress(PROGRESS) == [("focus on substance", True), ("substance is in a liquid state", False)]


@pytest.fixture(scope="module")
def env() -> Iterator[ScienceWorldEnv]:
    e = make_env("scienceworld/boil-0", gold_path=True)
    assert isinstance(e, ScienceWorldEnv)
    yield e
    e.close()


@needs_java
def test_episode_invalid_command_gold_path_and_milestones(env: ScienceWorldEnv) -> None:
    obs = env.reset()
    assert "boil water" in obs.goal and "This room is called" in obs.text and "Inventory:" in obs.text
    assert [m.description for m in env.task.milestones][0] == "focus on substance"
    bad = env.step("fly to the moon")
    assert bad.obs.error.startswith("unknown command") and bad.reward == 0.0 and not bad.terminated
    total, last = 0.0, bad
    for action in env.gold_actions():
        last = env.step(action)
        total += last.reward
        if last.terminated:
            break
    assert last.terminated and not last.truncated and last.info["success"]
    assert total == pytest.approx(1.0) and last.info["score"] == 100
    assert last.info["progress"] == [True] * len(env.task.milestones)
    assert last.info["milestones"] == [m.description for m in env.task.milestones]


@needs_java
def test_reset_restarts_the_episode(env: ScienceWorldEnv) -> None:
    env.reset()
    res = env.step("look around")
    assert res.info["score"] == 0 and res.info["progress"] == [False, False, False] and not res.obs.error


@needs_java
def test_close_stops_the_jvm_and_removes_its_temp_dir() -> None:
    env = make_env("scienceworld/melt")
    assert isinstance(env, ScienceWorldEnv)
    with env:
        env.reset(seed=1)
        assert env.task.config["variation_loaded"] == _variations()["melt"]["train"][1]  # seed picks a train variation
        proc, tmp = env.java_process, env._tmpdir
        assert proc is not None and proc.poll() is None and tmp and os.path.isdir(tmp)
    assert proc.poll() is not None and not os.path.exists(tmp)
