import math

import pytest
import torch

from mira.train.losses import LossSettings, get_actor_loss, potential_loss, value_loss

LOGP = torch.tensor([-1.0, -2.0])
REF = torch.tensor([-1.5, -1.0])
ADV = torch.tensor([0.5, -1.0])
ONES = torch.ones(2)


def test_regression_loss_hand_computed() -> None:
    # beta=2: 2*(0.5) - 0.5 = 0.5 -> 0.25; 2*(-1) + 1 = -1 -> 1; mean 0.625
    loss = get_actor_loss("regression")(LOGP, REF, ADV, ONES, LossSettings(beta=2.0))
    assert loss.item() == pytest.approx(0.625)


def test_regression_gradient_pushes_towards_advantage() -> None:
    logp = torch.tensor([0.0], requires_grad=True)
    get_actor_loss("regression")(logp, torch.zeros(1), torch.ones(1), torch.ones(1), LossSettings(beta=1.0)).backward()
    assert logp.grad is not None and logp.grad.item() < 0  # descent raises log pi of a positive-advantage action


def test_kl_loss_hand_computed() -> None:
    # -A*logp + beta*0.5*ratio^2: [0.5 + 0.5*0.25, -2 + 0.5*1] -> [0.625, -1.5], mean -0.4375
    loss = get_actor_loss("kl")(LOGP, REF, ADV, ONES, LossSettings(beta=1.0))
    assert loss.item() == pytest.approx(-0.4375)


def test_awr_loss_clips_weights() -> None:
    s = LossSettings(awr_temperature=0.5, awr_max_weight=2.0)
    w = [min(math.exp(1.0), 2.0), math.exp(-2.0)]
    expected = (w[0] * 1.0 + w[1] * 2.0) / 2
    assert get_actor_loss("awr")(LOGP, REF, ADV, ONES, s).item() == pytest.approx(expected)


def test_nll_with_weights_is_filtered_bc() -> None:
    loss = get_actor_loss("nll")(LOGP, REF, ADV, torch.tensor([1.0, 0.0]), LossSettings())
    assert loss.item() == pytest.approx(1.0)  # only the kept sample counts
    assert get_actor_loss("nll")(LOGP, REF, ADV, torch.zeros(2), LossSettings()).item() == 0.0


def test_critic_losses_hand_computed() -> None:
    assert value_loss(torch.tensor([0.0]), torch.tensor([1.0])).item() == pytest.approx(math.log(2))
    assert potential_loss(torch.tensor([0.0, 0.0]), torch.tensor([0.5, 1.0])).item() == pytest.approx(0.125)


def test_unknown_loss_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="regression"):
        get_actor_loss("ppo")
