import json

from agent.toyenv import TASK, ToyEnv
from mira.agent.milestones import MilestoneWriter, load_milestones, write_suite
from mira.agent.sgo import SGOAgent
from mira.llm.scripted import ScriptedLLM
from mira.rollout import run_episode
from mira.types import Task

TASKS = [Task(id="s/1", goal="Buy a mat"), Task(id="s/2", goal="Post a comment")]


def test_written_once_then_cached(tmp_path):
    llm = ScriptedLLM(["1. Open the shop\n2. Add the mat\n3. Pay", "1. Open the forum\n2. Comment"])
    out = tmp_path / "m.json"
    writer = MilestoneWriter(llm, k=3, cache_dir=tmp_path / "cache")
    result = write_suite(TASKS, writer, out)
    assert result == {"s/1": ["Open the shop", "Add the mat", "Pay"], "s/2": ["Open the forum", "Comment"]}
    assert load_milestones(out) == result and "Buy a mat" in llm.calls[0][0]["content"]
    again = MilestoneWriter(llm, k=3, cache_dir=tmp_path / "cache")
    assert write_suite(TASKS, again, tmp_path / "m2.json") == result
    assert (again.hits, again.misses, len(llm.calls)) == (2, 0, 2)  # no second call
    other_k = MilestoneWriter(ScriptedLLM(["1. A"], when_done="repeat"), k=2, cache_dir=tmp_path / "cache")
    other_k.milestones(TASKS[0])
    assert other_k.misses == 1  # another K is another prompt


def test_malformed_reply_is_not_cached(tmp_path):
    llm = ScriptedLLM(["no list here", "1. Fine"])
    writer = MilestoneWriter(llm, cache_dir=tmp_path)
    assert writer.milestones(TASKS[0])["milestones"] == []
    assert writer.milestones(TASKS[0])["milestones"] == ["Fine"]
    assert len(json.loads(next(tmp_path.glob("*.json")).read_text())["calls"]) == 1


def test_sgo_takes_teacher_milestones_from_a_file(tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps({TASK.id: ["Open the shop", "Open the Blue Mat", "Answer"]}))
    actor = ScriptedLLM(["```stop [$20]```"])
    traj = run_episode(ToyEnv(), SGOAgent(actor, checker="none", milestones_file=str(f)), max_steps=2)
    assert traj.milestones == ["Open the shop", "Open the Blue Mat", "Answer"]
    assert [c["role"] for c in traj.steps[0].info["llm_calls"]] == ["actor"]  # no planner call
