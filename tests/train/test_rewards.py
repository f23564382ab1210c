import pytest

from mira.train.rewards import (
    RewardSettings,
    advantages,
    discounted_returns,
    progress_labels,
    reached_counts,
    shaped_rewards,
    shaping_offsets,
    sparse_rewards,
    state_progress,
    step_targets,
    value_targets,
)
from mira.types import Step, Trajectory

F, T_ = False, True


def z_from_counts(counts: list[int], k: int) -> list[list[bool]]:
    return [[i < c for i in range(k)] for c in counts]


@pytest.mark.parametrize(
    ("counts", "k", "expected"),
    [
        ([0, 0, 0], 0, [0.0, 0.0, 0.0]),  # K = 0: no milestone information
        ([0, 0, 0], 2, [0.0, 0.0, 0.0]),  # nothing reached
        ([0, 1, 2], 2, [0.0, 0.5, 1.0]),  # one milestone per step
        ([0, 0, 1, 1], 2, [0.0, 0.25, 0.5, 0.5]),  # linear rise, flat after the last reached
        ([0, 0, 1, 1, 3, 3], 4, [0.0, 0.125, 0.25, 0.375, 0.75, 0.75]),  # two reached at once: jump
        ([1, 1, 2], 2, [0.5, 0.75, 1.0]),  # milestone 1 holds at s_0 (t_1 = t_0 = 0)
        ([0, 0, 0, 0, 1], 1, [0.0, 0.25, 0.5, 0.75, 1.0]),
    ],
)
def test_progress_labels(counts: list[int], k: int, expected: list[float]) -> None:
    assert progress_labels(z_from_counts(counts, k), k) == pytest.approx(expected)


def test_reached_counts_monotone_and_out_of_order() -> None:
    # milestone 2 before milestone 1 still counts as one reached; a flag that flips back does not undo progress
    assert reached_counts([[F, F], [F, T_], [T_, T_], [F, F]]) == [0, 1, 2, 2]


@pytest.mark.parametrize(
    ("rewards", "pots", "gamma", "terminal", "expected"),
    [
        ([0, 0, 1], [0.0, 0.5, 1.0, 1.0], 1.0, "zero", [0.5, 0.5, 0.0]),
        ([0, 0, 1], [0.0, 0.5, 1.0, 1.0], 1.0, "last", [0.5, 0.5, 1.0]),
        ([0, 0], [0.2, 0.4, 0.6], 0.9, "zero", [0.9 * 0.4 - 0.2, -0.4]),
        ([0, 0], [0.2, 0.4, 0.6], 0.9, "last", [0.16, 0.9 * 0.6 - 0.4]),
    ],
)
def test_shaped_rewards(rewards: list[float], pots: list[float], gamma: float, terminal: str, expected: list[float]) -> None:
    assert shaped_rewards(rewards, pots, gamma, terminal) == pytest.approx(expected)


def test_shaping_telescopes_to_minus_initial_potential() -> None:
    pots = [0.1, 0.3, 0.2, 0.9, 0.5]
    r = shaped_rewards([0, 0, 0, 1], pots, 1.0)
    assert sum(r) == pytest.approx(1 - pots[0])


def test_shaping_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="T\\+1"):
        shaped_rewards([0, 1], [0.0, 1.0], 0.9)
    with pytest.raises(ValueError, match="terminal_potential"):
        shaped_rewards([0], [0.0, 1.0], 0.9, "bogus")


def test_discounted_returns() -> None:
    assert discounted_returns([0, 0, 1], 0.9) == pytest.approx([0.81, 0.9, 1.0])
    assert discounted_returns([1, 0, 1], 0.5) == pytest.approx([1.25, 0.5, 1.0])
    assert discounted_returns([], 0.9) == []


def test_value_targets_success_or_discounted_return() -> None:
    assert value_targets(3, True, 0.9) == [1.0, 1.0, 1.0]
    assert value_targets(3, True, 0.9, "return") == pytest.approx([0.81, 0.9, 1.0])
    assert value_targets(2, False, 0.9, "return") == [0.0, 0.0]
    with pytest.raises(ValueError, match="value_target must be one of"):
        value_targets(1, True, 0.9, "outcome")


def test_advantages_hand_computed() -> None:
    r, v = [0.0, 1.0], [0.2, 0.6, 0.9]  # V(s_2) is terminal: taken as 0
    g = [0.9, 1.0]
    td = [0.0 + 0.9 * 0.6 - 0.2, 1.0 + 0.0 - 0.6]  # [0.34, 0.4]
    mc = [g[0] - 0.2, g[1] - 0.6]  # [0.7, 0.4]
    assert advantages(r, v, 0.9, 0.5, "td") == pytest.approx(td)
    assert advantages(r, v, 0.9, 0.5, "mc") == pytest.approx(mc)
    assert advantages(r, v, 0.9, 0.5, "dr") == pytest.approx([0.52, 0.4])
    assert advantages(r, v, 0.9, 0.25, "dr") == pytest.approx([0.25 * 0.34 + 0.75 * 0.7, 0.4])
    with pytest.raises(ValueError, match="advantage mode"):
        advantages(r, v, 0.9, 0.5, "gae")


def _traj(counts: list[int], k: int, success: bool) -> Trajectory:
    z = z_from_counts(counts, k)
    steps = [Step(action="click [1]", progress=zt) for zt in z[:-1]]
    return Trajectory(task_id="t/1", steps=steps, success=success, progress=z[-1])


def test_state_progress_fills_missing_steps() -> None:
    traj = _traj([0, 1, 1, 2], 2, True)
    traj.steps[2].progress = []  # an agent that did not record z
    assert state_progress(traj) == [[F, F], [T_, F], [T_, F], [T_, T_]]


def test_step_targets_sparse_vs_shaped() -> None:
    traj = _traj([0, 1, 2], 2, False)
    values, pots = [0.0, 0.0, 0.0], [0.0, 0.5, 1.0]
    sparse = RewardSettings(gamma=1.0, lam=1.0, shaping=False)
    r, a = step_targets(traj, values, pots, sparse)
    assert r == [0.0, 0.0] and a == [0.0, 0.0]  # a failed episode: no signal without shaping
    shaped = RewardSettings(gamma=1.0, lam=1.0, shaping=True)
    r, a = step_targets(traj, values, pots, shaped)
    assert r == pytest.approx([0.5, -0.5])  # progress paid, then taken back at the (failed) terminal
    assert sparse_rewards(3, True) == [0.0, 0.0, 1.0]


def test_centred_shaping_keeps_only_the_progress_difference() -> None:
    # T = 2 failed steps; P = 0.2, 0.5, (terminal 0); V = 0.3, 0.4; gamma 0.9, lam 0.5 (worked by hand):
    # r~ = [0.45 - 0.2, 0 - 0.5] = [0.25, -0.5]; G~ = [-0.2, -0.5]; TD = [0.31, -0.9]; MC = [-0.5, -0.9]
    traj = _traj([0, 1, 1], 2, False)
    values, pots = [0.3, 0.4, 0.0], [0.2, 0.5, 0.7]
    raw = RewardSettings(gamma=0.9, lam=0.5, shaping=True)
    _, a = step_targets(traj, values, pots, raw)
    assert a == pytest.approx([-0.095, -0.9])
    # centred = sparse DR advantage [-0.12, -0.4] + lam*gamma*(P(s_t+1) - P(s_t)) = + 0.45 * [0.3, -0.5]
    _, a = step_targets(traj, values, pots, RewardSettings(gamma=0.9, lam=0.5, shaping=True, shaping_offset="centred"))
    assert a == pytest.approx([0.015, -0.625])
    assert shaping_offsets(pots, 0.9, 0.5, "dr") == pytest.approx([-0.11, -0.275])
    with pytest.raises(ValueError, match="shaping_offset"):
        step_targets(traj, values, pots, RewardSettings(shaping=True, shaping_offset="mean"))


def test_shaping_scale_multiplies_the_potential() -> None:
    # The case above with alpha = 2 (potentials 0.4, 1.0, terminal 0), worked by hand:
    # r~ = [0.9 - 0.4, 0 - 1.0] = [0.5, -1.0]; G~ = [-0.4, -1.0]; TD = [0.5 + 0.36 - 0.3, -1.0 - 0.4] = [0.56, -1.4];
    # MC = [-0.7, -1.4]; A = 0.5 * (TD + MC) = [-0.07, -1.4]
    traj = _traj([0, 1, 1], 2, False)
    values, pots = [0.3, 0.4, 0.0], [0.2, 0.5, 0.7]
    r, a = step_targets(traj, values, pots, RewardSettings(gamma=0.9, lam=0.5, shaping=True, shaping_scale=2.0))
    assert r == pytest.approx([0.5, -1.0])
    assert a == pytest.approx([-0.07, -1.4])
    # alpha = 0: the sparse reward and WebRL's advantage, whatever P says
    r0, a0 = step_targets(traj, values, pots, RewardSettings(gamma=0.9, lam=0.5, shaping=True, shaping_scale=0.0))
    assert (r0, a0) == step_targets(traj, values, None, RewardSettings(gamma=0.9, lam=0.5, shaping=False))
