"""WebRL's replay buffer (successful steps, perplexity-filtered) and curriculum filter (initial value in a band)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import TypeVar

from mira.types import Trajectory

T = TypeVar("T")


def perplexity(mean_logp: float) -> float:
    """Perplexity of an action from its mean token log-prob."""
    return math.exp(-mean_logp)


def ppl_filter(mean_logps: Sequence[float], low: float, high: float) -> list[int]:
    """Indices whose perplexity lies in [low, high] (WebRL: [1/0.95, 1/0.5]: neither trivial nor alien)."""
    return [i for i, lp in enumerate(mean_logps) if low <= perplexity(lp) <= high]


def cap(items: Sequence[T], limit: int, rng: random.Random) -> list[T]:
    """At most `limit` items, a random subset when there are more."""
    return list(items) if len(items) <= limit else rng.sample(list(items), limit)


class ReplayBuffer:
    """Successful trajectories of past phases; `select` turns them into this phase's replayed steps."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.trajectories: list[Trajectory] = []
        self.capacity = capacity

    def add(self, trajs: Sequence[Trajectory]) -> int:
        """Keep the successful ones (oldest dropped beyond capacity); returns how many were added."""
        good = [t for t in trajs if t.success]
        self.trajectories = (self.trajectories + good)[-self.capacity:]
        return len(good)

    def __len__(self) -> int:
        return len(self.trajectories)


def select_replay(
    mean_logps: Sequence[float], n_new: int, ratio: float, low: float, high: float, rng: random.Random
) -> list[int]:
    """Indices of buffered steps to replay: perplexity in [low, high], at most `ratio` x the new samples."""
    return cap(ppl_filter(mean_logps, low, high), int(ratio * n_new), rng)


def curriculum_filter(initial_values: dict[str, float], low: float, high: float) -> list[str]:
    """Task keys whose V(s_0) lies in [low, high] (WebRL: [0.05, 0.75]: neither solved nor hopeless)."""
    return [k for k, v in initial_values.items() if low <= v <= high]


def variants(failed: Sequence[str], families: dict[str, str], exclude: set[str]) -> list[str]:
    """New variants of the failed tasks: the other tasks of their family (same intent template), first seen first,
    without `exclude` (tasks whose V(s_0) is already known)."""
    wanted = {families[k] for k in failed if k in families}
    return [k for k in families if families[k] in wanted and k not in exclude and k not in failed]


def next_tasks(
    failed: Sequence[str], pool: Sequence[str], value_of: Callable[[str], float | None], n: int,
    low: float, high: float, rng: random.Random,
) -> list[str]:
    """The next phase's n task keys: failed tasks seed the candidates (plus the pool), those with V(s_0) in the
    band come first, the rest fill up so a phase never starves. `value_of` is None for a task never seen."""
    candidates = list(dict.fromkeys([*failed, *pool]))
    values = {k: v for k in candidates if (v := value_of(k)) is not None}
    kept = curriculum_filter(values, low, high)
    rng.shuffle(kept)
    rest = [k for k in candidates if k not in set(kept)]
    rng.shuffle(rest)
    order = kept + rest
    return [order[i % len(order)] for i in range(n)] if order else []
