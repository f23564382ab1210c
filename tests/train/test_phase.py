import random
from types import SimpleNamespace

import pytest

from mira.train.batch import Sample
from mira.train.config import TrainConfig
from mira.train.phase import correlation, critic_quality, phase_tasks


def test_correlation_is_pearson_and_zero_when_constant() -> None:
    assert correlation([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]) == pytest.approx(1.0)
    assert correlation([0.0, 1.0, 2.0], [1.0, 0.0, -1.0]) == pytest.approx(-1.0)
    assert correlation([0.5, 0.5], [0.0, 1.0]) == 0.0 and correlation([1.0], [1.0]) == 0.0


def test_critic_quality_against_success_and_progress_labels() -> None:
    samples = [Sample([1], [2], success=s, progress=p) for s, p in [(0.0, 0.0), (1.0, 0.5), (1.0, 1.0)]]
    q = critic_quality(samples, [0.1, 0.9, 0.9], [0.0, 0.5, 0.5], "fresh")
    assert q["critic/fresh_value_r"] == pytest.approx(1.0)
    assert q["critic/fresh_potential_mse"] == pytest.approx(0.25 / 3)
    assert 0.8 < q["critic/fresh_potential_r"] < 1.0
    assert set(critic_quality(samples, [0.1, 0.9, 0.9], [0.0, 0.5, 0.5], "fit", potential=False)) == {
        "critic/fit_value_r"}


def _run(share: float, next_tasks: list[str]) -> SimpleNamespace:
    cfg = TrainConfig(rollouts_per_phase=4, curriculum_share=share)
    return SimpleNamespace(cfg=cfg, next_tasks=next_tasks, task_ids=["a", "b", "c", "d", "e"], rng=random.Random(0))


def test_phase_tasks_mix_the_curriculum_with_training_tasks() -> None:
    assert phase_tasks(_run(1.0, ["c", "c", "e", "a"]), 2) == ["c", "c", "e", "a"]  # WebRL: all curriculum
    mixed = phase_tasks(_run(0.5, ["e", "d", "e", "d"]), 2)
    assert mixed[:2] == ["e", "d"] and set(mixed[2:]) <= {"a", "b", "c"} and len(set(mixed[2:])) == 2
    first = phase_tasks(_run(0.5, []), 1)  # no curriculum yet: the seeded order only
    assert len(set(first)) == 4 and set(first) <= {"a", "b", "c", "d", "e"}
