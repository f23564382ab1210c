import json

import pytest
from llm.fake_openai import serving

from agent.toyenv import ToyEnv
from mira.agent import make_agent
from mira.agent.checker import LLMChecker, NoChecker, RuleChecker, make_checker
from mira.agent.sgo import SGOAgent
from mira.llm import make_llm
from mira.llm.openai_http import OpenAIConfig
from mira.llm.scripted import ScriptedLLM
from mira.rollout import run_episode
from mira.types import Task

PLAN = "Here is the plan:\n1. Open the shop\n2. Open the Blue Mat page\n3. Read the price and stop"
REFLECT = ("REFLECTION: Sorting changed nothing; I should open the product.\n"
           "PLAN:\n1. Click the Blue Mat link\n2. Read the price and stop")


def sgo(actor, planner=None, checker="llm", **cfg):
    return SGOAgent(actor, checker=checker, planner_llm=planner, **cfg)


def test_plans_checks_detects_a_loop_reflects_and_replans(tmp_path):
    actor = ScriptedLLM(["```click [1]```", "```click [5]```", "```click [3]```", "```stop [$20]```"])
    planner = ScriptedLLM([PLAN, REFLECT])
    judge = ScriptedLLM(["1: yes\n2: no\n3: no", "2: yes\n3: no"])
    out = tmp_path / "t.json"
    traj = run_episode(ToyEnv(), sgo(actor, planner, checker=judge_checker(judge)), max_steps=6, out=out)
    assert traj.success and [s.action for s in traj.steps] == ["click [1]", "click [5]", "click [3]", "stop [$20]"]
    s0, s1, s2, s3 = traj.steps
    assert s0.plan == ["Open the shop", "Open the Blue Mat page", "Read the price and stop"]
    assert [c["role"] for c in s0.info["llm_calls"]] == ["planner", "actor"]  # no check before the first action
    assert s0.progress == [False] * 3 and s1.progress == [True, False, False]
    assert [c["role"] for c in s1.info["llm_calls"]] == ["checker", "actor"]
    assert "CURRENT SUBGOAL: Open the Blue Mat page\nTHEN: Read the price and stop" in s1.messages[1]["content"]
    assert "[x] 1. Open the shop" in s1.messages[1]["content"]
    # step 2: click [5] left the page as it was -> no check needed; a loop -> reflection and a new plan
    assert s2.info["notes"] == ["page unchanged since the last check: checker skipped"]
    assert s2.info["trigger"] == "loop" and s2.reflection.startswith("Sorting changed nothing")
    assert s2.plan == ["Open the shop", "Click the Blue Mat link", "Read the price and stop"]
    assert s2.progress == [True, False, False]
    assert [c["role"] for c in s2.info["llm_calls"]] == ["reflect", "actor"]
    assert "REFLECTION: Sorting changed nothing" in s2.messages[1]["content"]
    assert "CURRENT SUBGOAL: Click the Blue Mat link" in s2.messages[1]["content"]
    assert "stuck in a loop" in planner.calls[1][0]["content"]
    # the checker reads only the pending milestones (of the new plan)
    assert "1. Open the shop" not in judge.calls[1][0]["content"] and "2. Click the Blue Mat link" in judge.calls[1][0]["content"]
    assert s3.progress == [True, True, False] and "trigger" not in s3.info
    assert s3.info["gt_progress"] == [True, True]
    saved = json.loads(out.read_text())
    assert saved["milestones"] == s2.plan and saved["steps"][2]["reflection"] == s2.reflection
    assert saved["steps"][1]["info"]["timings"]["check_s"] >= 0
    assert saved["info"]["sgo"]["initial_plan"] == s0.plan


def judge_checker(judge):
    return LLMChecker(judge)


def test_stall_without_progress_triggers_reflection():
    actor = ScriptedLLM(["```click [1]```", "```click [3]```", "```stop [$20]```"])
    planner = ScriptedLLM([PLAN, REFLECT])
    traj = run_episode(ToyEnv(), sgo(actor, planner, checker="none", stall_steps=2), max_steps=5)
    assert [s.info.get("trigger", "") for s in traj.steps] == ["", "", "stall"]
    assert "making no progress" in planner.calls[1][0]["content"]
    assert all(s.progress == [False] * len(s.plan) for s in traj.steps)


def test_malformed_planner_checker_and_reflection_degrade_and_say_so():
    actor = ScriptedLLM(["```click [1]```", "```click [5]```", "```stop []```"])
    planner = ScriptedLLM(["I cannot plan this.", "no idea what went wrong"])
    judge = ScriptedLLM(["maybe?", "hmm"])
    traj = run_episode(ToyEnv(), sgo(actor, planner, checker=judge_checker(judge)), max_steps=5)
    s0, s1, s2 = traj.steps
    assert s0.plan == ["Complete the task: Find the price of the Blue Mat in the shop."]
    assert "malformed planner reply" in s0.info["notes"][0]
    assert "malformed checker reply: treated as no progress" in s1.info["notes"]
    assert s1.progress == [False]
    assert s2.info["trigger"] == "loop" and "malformed reflection reply: kept the last plan" in s2.info["notes"]
    assert len(judge.calls) == 1  # step 2's page had not changed: no second check
    assert s2.plan == s0.plan and s2.reflection == "(no reflection parsed)"
    assert traj.exit_reason == "stop"


def test_rule_checker_uses_ground_truth_milestones_and_no_planner():
    actor = ScriptedLLM(["```click [1]```", "```click [3]```", "```stop [$20]```"])
    traj = run_episode(ToyEnv(), make_agent("sgo", llm=actor, checker="rule"), max_steps=5)
    assert traj.milestones == ["Open the shop", "Open the Blue Mat product page"]
    assert [s.progress for s in traj.steps] == [[False, False], [True, False], [True, True]]
    assert [s.info["gt_progress"] for s in traj.steps] == [s.progress for s in traj.steps]
    assert all(c["role"] == "actor" for s in traj.steps for c in s.info["llm_calls"])
    assert "CURRENT SUBGOAL: Open the Blue Mat product page" in traj.steps[1].messages[1]["content"]


def test_llm_checker_on_task_milestones_is_scored_against_ground_truth():
    actor = ScriptedLLM(["```click [1]```", "```click [4]```", "```stop [$20]```"])
    judge = ScriptedLLM(["1: yes\n2: no", "2: yes"])  # wrongly claims the Red Mat page is the Blue Mat one
    traj = run_episode(ToyEnv(), sgo(actor, checker=judge_checker(judge), use_task_milestones=True), max_steps=5)
    assert [s.progress for s in traj.steps] == [[False, False], [True, False], [True, True]]
    assert [s.info["gt_progress"] for s in traj.steps] == [[False, False], [True, False], [True, False]]


def test_no_secret_in_the_saved_trajectory(tmp_path, monkeypatch):
    key = "sk-fake-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    replies = ["1. Open the shop\n2. Open the product", "```click [1]```", "1: yes\n2: no", "```stop [x]```"]
    with serving(replies) as srv:
        url = srv.url.replace("http://", "http://alice:pa55word@")
        spec = f"openai:gpt-4o@{url}/v1"
        llm = make_llm(spec, config=OpenAIConfig(backoff_s=0.01, max_retries=1))
        out = tmp_path / "t.json"
        traj = run_episode(ToyEnv(), make_agent("sgo", llm=llm, checker="llm"), max_steps=3, out=out)
    assert traj.exit_reason == "stop" and srv.requests[0]["headers"]["authorization"] == f"Bearer {key}"
    text = out.read_text()
    assert key not in text and "pa55word" not in text and "alice" not in text
    assert '"model": "openai:gpt-4o@http://127.0.0.1:' in text
    calls = [c for s in traj.steps for c in s.info["llm_calls"]]
    assert sum(c["prompt_tokens"] for c in calls) > 0 and all(c["cost"] > 0 for c in calls)


def test_checker_specs(tmp_path):
    replies = tmp_path / "judge.txt"
    replies.write_text("1: yes")
    actor = ScriptedLLM(["x"])
    assert make_checker("llm", actor).llm is actor
    other = make_checker(f"llm:scripted:{replies}", actor, obs_chars=10)
    assert other.llm.name == "scripted:judge.txt" and other.obs_chars == 10
    assert isinstance(make_checker("rule", actor), RuleChecker) and isinstance(make_checker("none", actor), NoChecker)
    with pytest.raises(ValueError, match="valid: llm, llm:SPEC"):
        make_checker("rules", actor)
    traj = run_episode(ToyEnv(Task(id="toy/x", goal="g")), make_agent("sgo", llm=actor, checker="rule"))
    assert traj.exit_reason == "error:ValueError" and "needs a task with ground-truth milestones" in traj.info["error"]


def test_reflections_have_a_cooldown_and_a_budget():
    actor = ScriptedLLM(["```click [1]```"] + ["```click [5]```"] * 8)
    planner = ScriptedLLM([PLAN, REFLECT], when_done="repeat")
    traj = run_episode(ToyEnv(), sgo(actor, planner, checker="none", max_replans=2), max_steps=8)
    assert [s.info.get("trigger", "") for s in traj.steps] == ["", "", "loop", "", "loop", "", "", ""]


def test_helper_calls_keep_their_messages_and_replies():
    actor = ScriptedLLM(["```click [1]```", "```stop []```"])
    planner, judge = ScriptedLLM([PLAN]), ScriptedLLM(["1: yes"])
    traj = run_episode(ToyEnv(), sgo(actor, planner, checker=judge_checker(judge)), max_steps=2)
    plan_call, check_call = traj.steps[0].info["llm_calls"][0], traj.steps[1].info["llm_calls"][0]
    assert plan_call["messages"] == planner.calls[0] and plan_call["reply"] == PLAN
    assert check_call["messages"] == judge.calls[0] and check_call["reply"] == "1: yes"
    assert "messages" not in traj.steps[0].info["llm_calls"][1]  # the actor's are Step.messages
