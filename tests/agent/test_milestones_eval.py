import json
import math

import pytest

from agent.toyenv import ToyEnv
from mira.agent.checker import LLMChecker
from mira.agent.milestones_eval import auroc, checker_agreement, completion, evaluate_run, kendall_tau
from mira.agent.sgo import SGOAgent
from mira.llm.scripted import ScriptedLLM
from mira.rollout import run_episode
from mira.types import Step, Trajectory


@pytest.mark.parametrize(("scores", "labels", "want"), [
    ([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75),       # the classic 4-point example
    ([0.0, 0.5, 1.0], [0, 1, 1], 1.0),                 # perfectly separated
    ([1.0, 0.5, 0.0], [0, 1, 1], 0.0),                 # perfectly reversed
    ([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.5),         # all tied: one half each
    ([0.25, 0.5, 0.5, 1.0], [0, 0, 1, 1], 0.875),      # one tied pair of 4: (1 + 0.5 + 1 + 1) / 4
])
def test_auroc_table(scores, labels, want):
    assert auroc(scores, labels) == pytest.approx(want)


def test_auroc_needs_both_outcomes():
    with pytest.raises(ValueError, match="both outcomes"):
        auroc([0.1, 0.2], [1, 1])


@pytest.mark.parametrize(("x", "y", "want"), [
    ([1, 2, 3, 4, 5], [3, 1, 2, 5, 4], 0.4),            # 7 concordant, 3 discordant of 10
    ([1, 2, 3], [1, 2, 3], 1.0),
    ([1, 2, 3], [3, 2, 1], -1.0),
    ([1, 1, 2, 3], [0, 1, 1, 1], 2 / math.sqrt(15)),    # tau-b: C=2, D=0, 1 tie in x, 3 ties in y
])
def test_kendall_tau_table(x, y, want):
    assert kendall_tau(x, y) == pytest.approx(want)


def test_kendall_tau_constant_is_nan():
    assert math.isnan(kendall_tau([1, 1, 1], [0, 1, 0]))


def _traj(task_id, success, z, gt=None, checker="llm"):
    steps = [Step(action="noop", progress=z, info={"gt_progress": gt} if gt else {})]
    return Trajectory(task_id=task_id, success=success, steps=steps, progress=gt or [],
                      info={"sgo": {"checker": checker}})


def test_completion_sources():
    t = _traj("a", True, [True, False, False, False], gt=[True, True])
    assert completion(t, "agent") == 0.25 and completion(t, "gt") == 1.0
    assert completion(Trajectory(task_id="b"), "agent") is None
    with pytest.raises(ValueError, match="agent or gt"):
        completion(t, "x")


def test_checker_agreement_counts_pairs():
    trajs = [_traj("a", True, [True, True, False], gt=[True, False, False]),
             _traj("b", False, [False, True], gt=[True, True]),
             _traj("c", False, [True], gt=[False], checker="rule")]  # not an llm checker: ignored
    agree = checker_agreement(trajs)
    assert agree is not None and agree.pairs == 5
    assert agree.precision == pytest.approx(2 / 3) and agree.recall == pytest.approx(2 / 3)


def test_evaluate_run_on_real_trajectories(tmp_path):
    """Two SGO episodes on the toy env (one success, one failure), saved like `mira eval` would."""
    good = ScriptedLLM(["```click [1]```", "```click [3]```", "```stop [$20]```"])
    bad = ScriptedLLM(["```click [2]```", "```stop [none]```"])
    for name, actor, judge in [("good", good, ["1: yes\n2: no", "2: yes"]), ("bad", bad, ["1: no\n2: no"])]:
        agent = SGOAgent(actor, checker=LLMChecker(ScriptedLLM(judge)), use_task_milestones=True)
        run_episode(ToyEnv(), agent, max_steps=4, out=tmp_path / name / "trajectory.json")
    (tmp_path / "summary.json").write_text(json.dumps({"not": "a trajectory"}))
    res = evaluate_run(tmp_path, "agent")
    assert res["trajectories"] == 2 and res["successes"] == 1
    assert res["auroc"] == 1.0 and res["kendall_tau"] == pytest.approx(1.0)
    assert res["checker"] == {"pairs": 10, "precision": 1.0, "recall": 1.0}
