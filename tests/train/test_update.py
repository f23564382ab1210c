import pytest
import torch

from mira.train.algorithms import get_algorithm
from mira.train.batch import Sample, collate
from mira.train.config import TrainConfig
from mira.train.models import Critic, TinySpec, build_tiny, train_tokenizer
from mira.train.rewards import RewardSettings
from mira.train.update import (
    LossExploded,
    actor_update,
    assign_targets,
    critic_logits,
    critic_predict,
    fit_critic,
    keep_actor_samples,
    label_progress,
    label_values,
    mean_logprobs,
)
from mira.types import Step, Trajectory


def traj(counts: list[int], success: bool) -> Trajectory:
    z = [[i < c for i in range(2)] for c in counts]
    return Trajectory("t/1", steps=[Step("click [1]", progress=zt) for zt in z[:-1]], success=success, progress=z[-1])


def test_label_progress_and_assign_targets_hand_computed() -> None:
    trajs = [traj([0, 1, 2], True)]
    samples = [Sample([1], [2], traj=0, step=0), Sample([1], [2], traj=0, step=1)]
    label_progress(trajs, samples)
    assert [s.progress for s in samples] == [0.0, 0.5]
    # V = [0.5, 0.5], P = [0.0, 0.5]; gamma 1, lam 1 (td): r~ = [0.5, 1 - 0.5], A = r~ + V' - V
    assign_targets(trajs, samples, [0.5, 0.5], [0.0, 0.5], RewardSettings(gamma=1.0, lam=1.0))
    assert [s.reward for s in samples] == pytest.approx([0.5, 0.5])
    assert [s.advantage for s in samples] == pytest.approx([0.5, 0.0])
    label_values(trajs, samples, RewardSettings(gamma=0.9, value_target="return"))  # 2 actions, success
    assert [s.value_target for s in samples] == pytest.approx([0.9, 1.0])
    label_values(trajs, samples, RewardSettings(gamma=0.9))
    assert [s.value_target for s in samples] == [1.0, 1.0]


@pytest.mark.parametrize(("potential", "terminal", "rewards", "advs"), [
    # critic P = [0.3, 0.3], held at the final state ("last") or 0 there ("zero"); V = [0.5, 0.5, 0]
    ("critic", "last", [0.0, 1.0], [0.0, 0.5]),
    ("critic", "zero", [0.0, 0.7], [0.0, 0.2]),
    # the checker's labels [0, 0.5, 1] replace the critic: the answer's milestone pays the last action
    ("label", "last", [0.5, 1.5], [0.5, 1.0]),
    ("label", "zero", [0.5, 0.5], [0.5, 0.0]),
])
def test_assign_targets_potential_source_and_terminal(potential: str, terminal: str, rewards: list[float],
                                                      advs: list[float]) -> None:
    trajs = [traj([0, 1, 2], True)]
    samples = [Sample([1], [2], traj=0, step=0), Sample([1], [2], traj=0, step=1)]
    settings = RewardSettings(gamma=1.0, lam=1.0, terminal_potential=terminal, potential=potential)
    assign_targets(trajs, samples, [0.5, 0.5], [0.3, 0.3], settings)
    assert [s.reward for s in samples] == pytest.approx(rewards)
    assert [s.advantage for s in samples] == pytest.approx(advs)


@pytest.fixture(scope="module")
def model_tok() -> tuple[object, object]:
    tok = train_tokenizer([f"click [{i}] stop [done]" for i in range(30)], 280)
    return build_tiny(tok, TinySpec(hidden=32, layers=1, heads=2)), tok


def test_regression_update_raises_positive_advantage_action(model_tok: tuple) -> None:
    model, tok = model_tok
    good, bad = Sample([11, 12, 13], [20, 21], advantage=1.0), Sample([11, 12, 13], [30, 31], advantage=-1.0)
    before = mean_logprobs(model, [good, bad], tok.pad_token_id, 8)
    good.ref_logp, bad.ref_logp = before
    cfg = TrainConfig(lr=1e-2, batch_size=2, actor_epochs=5, beta=1.0)
    actor_update(model, [good, bad], get_algorithm("webrl"), tok.pad_token_id, cfg, torch.Generator().manual_seed(0))
    after = mean_logprobs(model, [good, bad], tok.pad_token_id, 8)
    assert after[0] > before[0] and after[1] < before[1]


def test_positive_actor_samples_drop_non_positive_advantages() -> None:
    samples = [Sample([1], [2], advantage=a, weight=w) for a, w in ((0.3, 1.0), (0.0, 1.0), (-0.2, 1.0), (0.5, 0.0))]
    keep_actor_samples(samples, "all")
    assert [s.weight for s in samples] == [1.0, 1.0, 1.0, 0.0]
    keep_actor_samples(samples, "positive")
    assert [s.weight for s in samples] == [1.0, 0.0, 0.0, 0.0]


def test_critic_learns_success(model_tok: tuple) -> None:
    model, tok = model_tok
    critic = Critic(model, trainable_layers=-1)
    win = [Sample([40, 41, 42], [], success=1.0, value_target=1.0, progress=1.0) for _ in range(4)]
    lose = [Sample([50, 51, 52], [], success=0.0, progress=0.0) for _ in range(4)]
    cfg = TrainConfig(critic_lr=1e-2, critic_epochs=20, batch_size=8)
    fit_critic(critic, win + lose, get_algorithm("mira"), tok.pad_token_id, cfg, torch.Generator().manual_seed(0))
    v, p = critic_predict(critic, [win[0], lose[0]], tok.pad_token_id, 8)
    assert v[0] > 0.8 and v[1] < 0.2 and p[0] > p[1]


def test_exploding_loss_raises_before_stepping(model_tok: tuple) -> None:
    model, tok = model_tok
    s = Sample([11], [20], advantage=1e6)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(LossExploded, match="limit"):
        actor_update(model, [s], get_algorithm("webrl"), tok.pad_token_id, TrainConfig(max_loss=1e3), torch.Generator())
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_critic_reads_states_in_length_groups_as_one_batch(model_tok: tuple) -> None:
    model, tok = model_tok
    critic = Critic(model, 1).eval()
    samples = [Sample(list(range(3, 3 + k)), [], traj=k) for k in (2, 9, 4, 7, 3)]
    with torch.no_grad():
        b = collate(samples, tok.pad_token_id, with_actions=False)
        whole = critic(b["input_ids"], b["attention_mask"], b["position_ids"])
        assert torch.allclose(critic_logits(critic, samples, tok.pad_token_id, rows=2), whole, atol=1e-5)
