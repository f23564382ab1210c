"""Rewards and advantages as pure functions of one trajectory's per-state numbers (no torch).

Indexing: an episode of T actions has states s_0..s_T; action a_t is taken in s_t and earns r_t.
So per-state lists (z, progress labels, potentials, values) have T+1 entries and per-action lists T.

Terminal convention (decided here, used everywhere): the episode's end is terminal, so the value and the
potential of s_T are 0 by default. With Phi(s_T) = 0 the shaping terms telescope to -Phi(s_0), which
is what Ng et al. (1999) need for the optimal policy to stay unchanged in episodic tasks, but it charges the last
action -P(s_{T-1}): a stop after real progress is penalised by the progress itself. `terminal_potential = "last"`
keeps P(s_T) instead (the final state's progress label; a critic, which never reads the final state, holds
P(s_{T-1})), so the last action is paid only for the progress it adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mira.types import Trajectory

TERMINAL_POTENTIALS = ("zero", "last")
SHAPING_OFFSETS = ("raw", "centred")
POTENTIAL_SOURCES = ("critic", "label")
"""Where P(s_t) comes from: the potential critic (MiRA), or the checker's progress labels themselves (exact, known
only for played episodes: an oracle potential, to tell the shaping's effect apart from the critic's error)."""
VALUE_TARGETS = ("success", "return")
"""What V is fitted to: the episode's `success` (WebRL's BCE on the outcome, the same for every state), or the state's
discounted `return` gamma^(T-1-t) * success, the quantity the advantage's G_t and gamma V(s_{t+1}) assume V
estimates (with `success`, A is biased by -(1 - gamma^(T-1-t)) V(s_t): below zero on average)."""
ADVANTAGE_MODES = ("dr", "td", "mc")
"""`dr`: doubly robust (WebRL eq. 9, MiRA); `td`: one-step TD only (the "w/o doubly-robust" ablation); `mc`: G_t - V(s_t)."""


def reached_counts(z: Sequence[Sequence[bool]]) -> list[int]:
    """Milestones reached per state, made monotone (a milestone once reached stays reached)."""
    out: list[int] = []
    best = 0
    for zt in z:
        best = max(best, sum(bool(x) for x in zt))
        out.append(best)
    return out


def progress_labels(z: Sequence[Sequence[bool]], num_milestones: int) -> list[float]:
    """Progress label p_t in [0, 1] for each state (SPEC: linear between milestone completion steps).

    t_k is the first state with at least k milestones reached (t_0 = 0); p rises linearly from (k-1)/K at
    t_{k-1} to k/K at t_k and stays flat after the last reached milestone. Milestones reached together
    share one t_k (p jumps). K = 0 gives all zeros (no milestone information).
    """
    n = len(z)
    if num_milestones <= 0 or n == 0:
        return [0.0] * n
    counts = reached_counts(z)
    k_max = min(counts[-1], num_milestones)
    t_of = [0] + [next(t for t, c in enumerate(counts) if c >= k) for k in range(1, k_max + 1)]
    labels = [k_max / num_milestones] * n
    for k in range(1, k_max + 1):
        t0, t1 = t_of[k - 1], t_of[k]
        for t in range(t0, t1):  # empty when milestones k-1 and k were reached together
            labels[t] = ((k - 1) + (t - t0) / (t1 - t0)) / num_milestones
    return labels


def state_progress(traj: Trajectory) -> list[list[bool]]:
    """z for states s_0..s_T: each step's recorded z (before its action), then the final z.

    A step whose agent recorded no z inherits the previous state's (all False at the start).
    """
    k = len(traj.progress)
    prev = [False] * k
    z: list[list[bool]] = []
    for step in traj.steps:
        cur = list(step.progress) if len(step.progress) == k else prev
        z.append(cur)
        prev = cur
    z.append(list(traj.progress) if traj.progress else prev)
    return z


def sparse_rewards(num_steps: int, success: bool) -> list[float]:
    """Outcome reward: 1 on the last action of a successful episode, else 0."""
    r = [0.0] * num_steps
    if success and num_steps:
        r[-1] = 1.0
    return r


def shaped_rewards(
    rewards: Sequence[float], potentials: Sequence[float], gamma: float, terminal_potential: str = "zero"
) -> list[float]:
    """r~_t = r_t + gamma * P(s_{t+1}) - P(s_t); `potentials` has T+1 entries (see the module's terminal note)."""
    if terminal_potential not in TERMINAL_POTENTIALS:
        raise ValueError(f"terminal_potential must be one of {TERMINAL_POTENTIALS}, got {terminal_potential!r}")
    if len(potentials) != len(rewards) + 1:
        raise ValueError(f"need T+1={len(rewards) + 1} potentials, got {len(potentials)}")
    p = list(potentials)
    if terminal_potential == "zero":
        p[-1] = 0.0
    return [r + gamma * p[t + 1] - p[t] for t, r in enumerate(rewards)]


def discounted_returns(rewards: Sequence[float], gamma: float) -> list[float]:
    """G_t = sum_k gamma^k r_{t+k}."""
    out = [0.0] * len(rewards)
    g = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out


def value_targets(num_steps: int, success: bool, gamma: float, kind: str = "success") -> list[float]:
    """V's target for the states s_0..s_{T-1} the actions were taken in (VALUE_TARGETS)."""
    if kind not in VALUE_TARGETS:
        raise ValueError(f"value_target must be one of {VALUE_TARGETS}, got {kind!r}")
    if kind == "success":
        return [float(success)] * num_steps
    return discounted_returns(sparse_rewards(num_steps, success), gamma)


def td_weight(mode: str, lam: float) -> float:
    """The weight of the one-step TD term in an ADVANTAGE_MODES estimator (the MC term gets 1 minus it)."""
    return {"dr": lam, "td": 1.0, "mc": 0.0}[mode]


def advantages(
    rewards: Sequence[float], values: Sequence[float], gamma: float, lam: float, mode: str = "dr"
) -> list[float]:
    """A_t = lam * (r_t + gamma V(s_{t+1}) - V(s_t)) + (1 - lam) * (G_t - V(s_t)); V(s_T) is taken as 0 (terminal).

    `values` has T+1 entries; `mode` picks the estimator (ADVANTAGE_MODES): `td` is lam = 1, `mc` is lam = 0.
    """
    if mode not in ADVANTAGE_MODES:
        raise ValueError(f"advantage mode must be one of {ADVANTAGE_MODES}, got {mode!r}")
    if len(values) != len(rewards) + 1:
        raise ValueError(f"need T+1={len(rewards) + 1} values, got {len(values)}")
    lam = td_weight(mode, lam)
    v = [*values[:-1], 0.0]
    g = discounted_returns(rewards, gamma)
    return [lam * (r + gamma * v[t + 1] - v[t]) + (1 - lam) * (g[t] - v[t]) for t, r in enumerate(rewards)]


@dataclass(frozen=True)
class RewardSettings:
    """How one algorithm turns a trajectory and critic outputs into per-action rewards and advantages."""

    gamma: float = 0.9
    """Discount."""
    lam: float = 0.5
    """Doubly-robust mixing weight (WebRL's lambda)."""
    shaping: bool = True
    """Add potential-based shaping from the potential critic (False: WebRL's sparse reward)."""
    advantage_mode: str = "dr"
    """One of ADVANTAGE_MODES."""
    terminal_potential: str = "zero"
    """One of TERMINAL_POTENTIALS."""
    shaping_offset: str = "raw"
    """One of SHAPING_OFFSETS (see shaping_offsets)."""
    potential: str = "critic"
    """One of POTENTIAL_SOURCES."""
    value_target: str = "success"
    """One of VALUE_TARGETS."""
    shaping_scale: float = 1.0
    """alpha: the potential used is alpha * P (how strongly milestone progress shapes the reward)."""


def shaping_offsets(potentials: Sequence[float], gamma: float, lam: float, mode: str) -> list[float]:
    """The shaped advantage's action-independent part, per action: -(1 - lam' * gamma) * P(s_t).

    With r~ = r + gamma P(s_{t+1}) - P(s_t) in the doubly-robust advantage (V fitted to the sparse outcome), the MC
    return telescopes to G_t - P(s_t), so A~_t = A_t + lam' * gamma * (P(s_{t+1}) - P(s_t)) - (1 - lam' * gamma) P(s_t),
    lam' the mode's weight of the TD term. Only the middle term tells actions apart. A policy gradient ignores a
    state-only offset; WebRL's regression (beta log pi/pi_ref - A)^2 does not: it lowers every sampled action in
    proportion to the progress already made, which spreads the policy (measured: held-out success fell). `centred`
    removes it.
    """
    return [-(1 - td_weight(mode, lam) * gamma) * p for p in potentials[:-1]]


def step_targets(
    traj: Trajectory, values: Sequence[float], potentials: Sequence[float] | None, settings: RewardSettings
) -> tuple[list[float], list[float]]:
    """(per-action rewards, per-action advantages) for one trajectory; `values`/`potentials` per state (T+1)."""
    r = sparse_rewards(len(traj.steps), traj.success)
    if not (settings.shaping and potentials is not None):
        return r, advantages(r, values, settings.gamma, settings.lam, settings.advantage_mode)
    if settings.shaping_offset not in SHAPING_OFFSETS:
        raise ValueError(f"shaping_offset must be one of {SHAPING_OFFSETS}, got {settings.shaping_offset!r}")
    potentials = [settings.shaping_scale * p for p in potentials]
    r = shaped_rewards(r, potentials, settings.gamma, settings.terminal_potential)
    a = advantages(r, values, settings.gamma, settings.lam, settings.advantage_mode)
    if settings.shaping_offset == "centred":
        off = shaping_offsets(potentials, settings.gamma, settings.lam, settings.advantage_mode)
        a = [x - o for x, o in zip(a, off, strict=True)]
    return r, a
