"""Agents act in text suites (ScienceWorld) with the suite's own commands, not the web grammar."""

from __future__ import annotations

import pytest

from mira.agent.acting import act, system_prompt
from mira.env.actions import ActionError, extract_command
from mira.llm.scripted import ScriptedLLM


@pytest.mark.parametrize(
    ("reply", "command"),
    [
        ("open door to kitchen", "open door to kitchen"),
        ("I should look first.\n```\nlook around\n```", "look around"),
        ("Action: pick up thermometer", "pick up thermometer"),
        ("thinking...\n\nfocus on substance in pot\n", "focus on substance in pot"),
    ],
)
def test_extract_command(reply: str, command: str) -> None:
    assert extract_command(reply) == command


def test_extract_command_refuses_empty() -> None:
    with pytest.raises(ActionError, match="empty reply"):
        extract_command("   \n ")


def test_text_grammar_prompt_and_parse() -> None:
    prompt = system_prompt(False, "text")
    assert "look around" in prompt and "[id] role" not in prompt and "click [id]" not in prompt
    llm = ScriptedLLM(["Let me go.\n```\ngo to kitchen\n```"])
    turn = act(llm, [{"role": "user", "content": "x"}], 1, [], {}, "text")
    assert turn.action == "go to kitchen" and not turn.errors


def test_plain_agent_plays_scienceworld_commands() -> None:
    from mira.agent.plain import PlainAgent
    from mira.env import make_env
    from mira.rollout import run_episode

    agent = PlainAgent(ScriptedLLM(["```\nlook around\n```", "```\ninventory\n```", "stop []"]))
    with make_env("scienceworld/boil-0") as env:
        traj = run_episode(env, agent, max_steps=3)
    assert [s.action for s in traj.steps] == ["look around", "inventory", "stop []"]
    assert not any(s.error for s in traj.steps[:2]) and traj.exit_reason == "stop"
