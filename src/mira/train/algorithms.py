"""Algorithms registered by name, each a small set of choices over the same batch format.

An algorithm says which critics it trains, how rewards and advantages are made, which actor loss it uses and
which samples count. The ablations of the paper are config settings applied on top (`resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mira.train.config import TrainConfig
from mira.train.losses import ACTOR_LOSSES
from mira.train.rewards import (
    ADVANTAGE_MODES,
    POTENTIAL_SOURCES,
    SHAPING_OFFSETS,
    TERMINAL_POTENTIALS,
    VALUE_TARGETS,
    RewardSettings,
)


@dataclass(frozen=True)
class Algorithm:
    """What one algorithm does in an RL phase."""

    name: str
    actor_loss: str
    """A name in mira.train.losses.ACTOR_LOSSES."""
    value_critic: bool = False
    """Train V on success and use it in the advantage."""
    potential_critic: bool = False
    """Train P on progress labels and shape the reward with it."""
    success_only: bool = False
    """Train the actor only on steps of successful episodes (filtered BC)."""
    rl_phases: bool = True
    """False: the algorithm is SFT on demonstrations only."""


ALGORITHMS: dict[str, Algorithm] = {
    "sft": Algorithm("sft", "nll", rl_phases=False),
    "filtered-bc": Algorithm("filtered-bc", "nll", success_only=True),
    "awr": Algorithm("awr", "awr", value_critic=True),
    "webrl": Algorithm("webrl", "regression", value_critic=True),
    "mira": Algorithm("mira", "regression", value_critic=True, potential_critic=True),
}


ACTOR_SAMPLES = ("all", "positive")
"""TrainConfig.actor_samples: which samples the actor's loss counts."""


def get_algorithm(name: str) -> Algorithm:
    if name not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {name!r}; valid: {', '.join(ALGORITHMS)}")
    return ALGORITHMS[name]


CHOICES: dict[str, tuple[str, ...]] = {
    "advantage_mode": ADVANTAGE_MODES, "shaping_offset": SHAPING_OFFSETS, "potential": POTENTIAL_SOURCES,
    "terminal_potential": TERMINAL_POTENTIALS, "actor_samples": ACTOR_SAMPLES, "value_target": VALUE_TARGETS,
}
"""TrainConfig keys that name one of a fixed set of values (checked by resolve)."""


def resolve(cfg: TrainConfig) -> tuple[Algorithm, RewardSettings]:
    """The algorithm of `cfg` with its ablation settings applied, and its reward settings."""
    algo = get_algorithm(cfg.algo)
    if cfg.actor_objective:
        if cfg.actor_objective not in ACTOR_LOSSES:
            raise ValueError(f"actor_objective {cfg.actor_objective!r}; valid: {', '.join(ACTOR_LOSSES)}")
        algo = replace(algo, actor_loss=cfg.actor_objective)
    if not cfg.use_potential:
        algo = replace(algo, potential_critic=False)
    for key, valid in CHOICES.items():
        if getattr(cfg, key) not in valid:
            raise ValueError(f"{key} {getattr(cfg, key)!r}; valid: {', '.join(valid)}")
    if not 0.0 <= cfg.shaping_scale <= 100.0:
        raise ValueError(f"shaping_scale is alpha in r + alpha * (gamma P' - P): 0..100, got {cfg.shaping_scale}")
    rewards = RewardSettings(gamma=cfg.gamma, lam=cfg.lam, shaping=algo.potential_critic,
                             advantage_mode=cfg.advantage_mode, terminal_potential=cfg.terminal_potential,
                             shaping_offset=cfg.shaping_offset, potential=cfg.potential,
                             value_target=cfg.value_target, shaping_scale=cfg.shaping_scale)
    return algo, rewards
