"""End to end with the real SmolLM2-135M-Instruct (prepared by `make models`) on arena tasks in real
Chromium: both agents complete episodes (success is not expected from a 135M model; the machinery is)."""

import pytest

from mira.agent import make_agent
from mira.env import get_suite, make_env
from mira.llm import make_llm, smollm2
from mira.rollout import load_trajectory, run_episode

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def smol():
    if not smollm2.is_prepared():
        pytest.fail(f"smollm2 is not prepared in {smollm2.model_dir()}: run `make models`")
    return make_llm("smollm2", max_new_tokens=32, threads=1)


@pytest.mark.parametrize("agent_name", ["plain", "sgo"])
def test_smollm2_agents_complete_arena_episodes(smol, agent_name, tmp_path):
    task = f"arena/{get_suite('arena').task_ids('test')[0]}"
    opts = {"checker": "llm", "k_milestones": 3} if agent_name == "sgo" else {}
    agent = make_agent(agent_name, llm=smol, **opts)
    out = tmp_path / "trajectory.json"
    with make_env(task) as env:
        traj = run_episode(env, agent, max_steps=2, out=out)
        assert env.task.milestones
    assert not traj.exit_reason.startswith("error"), traj.info.get("error")
    assert 1 <= len(traj.steps) <= 2 and all(s.reply for s in traj.steps)
    assert load_trajectory(out).task_id == task
    calls = [c for s in traj.steps for c in s.info["llm_calls"]]
    assert calls and all(c["model"] == "smollm2" and c["prompt_tokens"] > 0 for c in calls)
    if agent_name == "sgo":
        assert traj.milestones and traj.steps[0].plan == traj.info["sgo"]["initial_plan"]
        assert calls[0]["role"] == "planner"
        assert all(len(s.progress) == len(s.plan) and "gt_progress" in s.info for s in traj.steps)
