import math
import random

import pytest

from mira.train.replay import ReplayBuffer, curriculum_filter, next_tasks, perplexity, ppl_filter, select_replay
from mira.types import Trajectory


@pytest.mark.parametrize(
    ("probs", "kept"),
    [
        ([0.99, 0.9, 0.6, 0.4], [1, 2]),  # geometric-mean token prob in [0.5, 0.95]
        ([0.95, 0.5], [0, 1]),  # both bounds are inclusive
        ([1.0, 0.1], []),
    ],
)
def test_ppl_filter(probs: list[float], kept: list[int]) -> None:
    logps = [math.log(p) for p in probs]
    assert ppl_filter(logps, 1 / 0.95 - 1e-9, 2.0 + 1e-9) == kept


def test_perplexity() -> None:
    assert perplexity(math.log(0.5)) == pytest.approx(2.0)


def test_select_replay_caps_at_ratio() -> None:
    logps = [math.log(0.7)] * 50 + [math.log(0.99)] * 10
    idx = select_replay(logps, n_new=5, ratio=2.0, low=1 / 0.95, high=2.0, rng=random.Random(0))
    assert len(idx) == 10 and all(i < 50 for i in idx)
    assert len(select_replay(logps[:3], 5, 2.0, 1 / 0.95, 2.0, random.Random(0))) == 3


def test_buffer_keeps_only_successes_within_capacity() -> None:
    buf = ReplayBuffer(capacity=2)
    assert buf.add([Trajectory("a", success=True), Trajectory("b"), Trajectory("c", success=True)]) == 2
    buf.add([Trajectory("d", success=True)])
    assert [t.task_id for t in buf.trajectories] == ["c", "d"]


def test_curriculum_filter_band() -> None:
    vals = {"easy": 0.9, "mid": 0.5, "hard": 0.01, "low_edge": 0.05, "high_edge": 0.75}
    assert curriculum_filter(vals, 0.05, 0.75) == ["mid", "low_edge", "high_edge"]


def test_next_tasks_prefers_band_then_fills() -> None:
    values = {"a": 0.5, "b": 0.99, "c": None}
    out = next_tasks(["a"], ["a", "b", "c"], values.get, 4, 0.05, 0.75, random.Random(0))
    assert out[0] == "a" and len(out) == 4 and set(out) == {"a", "b", "c"}
    assert next_tasks([], [], values.get, 3, 0.05, 0.75, random.Random(0)) == []
