"""Actor and critic losses over per-sample tensors, registered by name. Hand-checkable formulas.

Every actor loss takes `logp` (B,): the policy's log-prob of each action averaged over the action's tokens
(with grad), `ref_logp` (B,): the same under pi_ref (no grad), `adv` (B,) and `weight` (B,): 1 for samples
that count, 0 for those an algorithm drops (filtered BC keeps only successful episodes' steps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class LossSettings:
    """Knobs of the actor losses."""

    beta: float = 1.0
    """KL strength: WebRL's beta in (beta * log(pi/pi_ref) - A)^2."""
    awr_temperature: float = 1.0
    """AWR: weights exp(A / temperature)."""
    awr_max_weight: float = 20.0
    """AWR: weights clipped at this value (stability)."""


ActorLoss = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, LossSettings], torch.Tensor]


def _wmean(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    return (x * weight).sum() / weight.sum().clamp_min(1.0)


def regression_loss(
    logp: torch.Tensor, ref_logp: torch.Tensor, adv: torch.Tensor, weight: torch.Tensor, s: LossSettings
) -> torch.Tensor:
    """WebRL / MiRA: mean((beta * log(pi/pi_ref) - A)^2)."""
    return _wmean((s.beta * (logp - ref_logp) - adv) ** 2, weight)


def kl_pg_loss(
    logp: torch.Tensor, ref_logp: torch.Tensor, adv: torch.Tensor, weight: torch.Tensor, s: LossSettings
) -> torch.Tensor:
    """The "KL objective" ablation: policy gradient -A log pi plus beta * KL(pi || pi_ref).

    The KL is the k2 estimate 0.5 * log(pi/pi_ref)^2 on the batch's actions, whose gradient is the KL's on-policy.
    """
    log_ratio = logp - ref_logp
    return _wmean(-adv * logp + s.beta * 0.5 * log_ratio**2, weight)


def awr_loss(
    logp: torch.Tensor, ref_logp: torch.Tensor, adv: torch.Tensor, weight: torch.Tensor, s: LossSettings
) -> torch.Tensor:
    """Advantage-weighted regression: -mean(min(exp(A / temp), w_max) * log pi)."""
    w = torch.exp(adv / s.awr_temperature).clamp(max=s.awr_max_weight).detach()
    return _wmean(-w * logp, weight)


def nll_loss(
    logp: torch.Tensor, ref_logp: torch.Tensor, adv: torch.Tensor, weight: torch.Tensor, s: LossSettings
) -> torch.Tensor:
    """Behaviour cloning / SFT: -mean(log pi) over the kept samples (filtered BC: weight = success)."""
    return _wmean(-logp, weight)


ACTOR_LOSSES: dict[str, ActorLoss] = {
    "regression": regression_loss,
    "kl": kl_pg_loss,
    "awr": awr_loss,
    "nll": nll_loss,
}


def get_actor_loss(name: str) -> ActorLoss:
    if name not in ACTOR_LOSSES:
        raise ValueError(f"unknown actor loss {name!r}; valid: {', '.join(ACTOR_LOSSES)}")
    return ACTOR_LOSSES[name]


def value_loss(v_logits: torch.Tensor, success: torch.Tensor) -> torch.Tensor:
    """Value critic: binary cross-entropy of sigmoid(V logits) (B,) onto final success (B,) in {0, 1}."""
    return F.binary_cross_entropy_with_logits(v_logits, success.float())


def potential_loss(p_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Potential critic: MSE of sigmoid(P logits) (B,) onto progress labels (B,) in [0, 1]."""
    return F.mse_loss(torch.sigmoid(p_logits), labels.float())
