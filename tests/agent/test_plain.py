from agent.toyenv import ToyEnv
from mira.agent import make_agent
from mira.llm.scripted import ScriptedLLM
from mira.rollout import load_trajectory, run_episode


def test_plain_solves_the_toy_task_and_records_everything(tmp_path):
    llm = ScriptedLLM(["I open the shop.\n```\nclick [1]\n```", "```click [3]```", "The price is $20.\n```\nstop [$20]\n```"])
    out = tmp_path / "t.json"
    traj = run_episode(ToyEnv(), make_agent("plain", llm=llm), max_steps=5, out=out)
    assert traj.success and traj.exit_reason == "stop"
    assert [s.action for s in traj.steps] == ["click [1]", "click [3]", "stop [$20]"]
    first = traj.steps[0]
    assert first.messages == llm.calls[0]
    assert first.messages[0]["role"] == "system" and "click [id]" in first.messages[0]["content"]
    user = first.messages[1]["content"]
    assert "OBJECTIVE: Find the price of the Blue Mat" in user and "[1] link 'Shop'" in user and "(none yet)" in user
    # only the current page in full; earlier pages appear only as actions
    third = traj.steps[2].messages[1]["content"]
    assert "Blue Mat'" in third and "'Shop'" not in third and "1. click [1]\n2. click [3]" in third
    assert first.info["llm_calls"][0]["role"] == "actor" and first.info["llm_calls"][0]["prompt_tokens"] > 0
    saved = load_trajectory(out)
    assert saved.steps[1].reply == "```click [3]```" and saved.progress == [True, True]


def test_unparsable_reply_is_retried_with_the_error_shown():
    llm = ScriptedLLM(["I would click the shop", "click [1]", "stop [x]"])
    traj = run_episode(ToyEnv(), make_agent("plain", llm=llm), max_steps=2)
    step = traj.steps[0]
    assert step.action == "click [1]" and step.info["parse_errors"]
    retry = step.messages[-1]["content"]
    assert step.messages[-2] == {"role": "assistant", "content": "I would click the shop"}
    assert "did not contain a valid action" in retry and "unknown action" in retry
    assert [c["role"] for c in step.info["llm_calls"]] == ["actor", "actor_retry"]


def test_hopeless_replies_become_failed_steps_not_crashes():
    llm = ScriptedLLM(["no idea"], when_done="repeat")
    traj = run_episode(ToyEnv(), make_agent("plain", llm=llm, max_parse_retries=1), max_steps=10)
    assert traj.exit_reason == "parse_error" and len(traj.steps) == 5
    assert all(s.action == "" and s.reply == "no idea" and "unparsable reply" in s.error for s in traj.steps)
    assert len(llm.calls) == 10  # 1 try + 1 retry per step
