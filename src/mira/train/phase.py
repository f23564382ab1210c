"""One RL phase: rollouts through run_episode -> replay selection -> critics -> per-step targets -> actor.

pi_ref is the actor as it enters the phase (the previous phase's policy): its log-probs are taken once,
before the update, for the new and the buffered steps alike (WebRL also filters the buffer with them).
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

import torch

from mira.train.batch import Sample, trajectory_samples
from mira.train.metrics import timed
from mira.train.models import Critic
from mira.train.replay import next_tasks, select_replay, variants
from mira.train.rewards import RewardSettings
from mira.train.update import (
    actor_update,
    assign_targets,
    critic_predict,
    fit_critic,
    keep_actor_samples,
    label_progress,
    label_values,
    mean_logprobs,
)
from mira.types import Trajectory

if TYPE_CHECKING:
    from mira.train.loop import Run


def phase_tasks(run: Run, phase: int) -> list[str]:
    """The curriculum's pick (`curriculum_share` of the phase, the rest training tasks in a seeded order), or
    only the seeded order when there is no curriculum yet; cycled to `rollouts_per_phase`."""
    n = run.cfg.rollouts_per_phase
    picked = run.next_tasks[:round(run.cfg.curriculum_share * n)] if run.next_tasks else []
    if len(picked) == n:
        return picked
    taken = set(picked)
    order = [t for t in run.task_ids if t not in taken] or list(run.task_ids)
    run.rng.shuffle(order)
    return picked + [order[i % len(order)] for i in range(n - len(picked))]


def collect(run: Run, phase: int, bar: Any) -> list[Trajectory]:
    folder = run.out / f"phase-{phase}" / "rollouts"
    trajs = []
    for i, tid in enumerate(phase_tasks(run, phase)):
        trajs.append(run.rollout(tid, run.cfg.seed * 1_000_000 + phase * 1_000 + i, folder, run.cfg.temperature))
        bar.update(1)
        bar.set_postfix(success=f"{sum(t.success for t in trajs) / len(trajs):.2f}")
    bar.close()
    return trajs


def samples_of(run: Run, trajs: list[Trajectory], offset: int = 0) -> list[Sample]:
    out: list[Sample] = []
    for i, t in enumerate(trajs):
        out += trajectory_samples(t, run.tok, offset + i, run.cfg.max_prompt_tokens)
    return out


def rl_phase(run: Run, phase: int, settings: RewardSettings, bar: Any) -> dict[str, Any]:
    cfg, algo, pad = run.cfg, run.algo, run.tok.pad_token_id
    gen = torch.Generator().manual_seed(cfg.seed * 1_000 + phase)
    times: dict[str, Any] = {}
    with timed(times, "time/rollouts_s"):
        new = collect(run, phase, bar)
    buffered = list(run.replay.trajectories)
    trajs = new + buffered
    new_s, old_s = samples_of(run, new), samples_of(run, buffered, len(new))
    ref = mean_logprobs(run.model, new_s + old_s, pad, cfg.batch_size)  # pi_ref = the actor before this update
    keep = select_replay(ref[len(new_s):], len(new_s), cfg.replay_ratio, cfg.ppl_low, cfg.ppl_high, run.rng)
    samples = new_s + [old_s[i] for i in keep]
    for s, lp in zip(samples, ref[:len(new_s)] + [ref[len(new_s) + i] for i in keep], strict=True):
        s.ref_logp = lp
        s.weight = s.success if algo.success_only else 1.0
    label_progress(trajs, samples)
    label_values(trajs, samples, settings)
    record = rollout_metrics(new)
    record.update({"replay/buffered_steps": len(old_s), "replay/kept_steps": len(keep), "samples": len(samples)})
    if algo.value_critic and samples:
        with timed(times, "time/critic_s"):
            values = critic_step(run, trajs, samples, len(new_s), settings, gen, record)
        with timed(times, "time/curriculum_s"):
            run.next_tasks = curriculum(run, new, samples, values)
    keep_actor_samples(samples, cfg.actor_samples)
    if samples:
        with timed(times, "time/actor_s"):
            record.update(actor_update(run.model, samples, algo, pad, cfg, gen))
    run.replay.add(new)
    return record | times


def critic_step(run: Run, trajs: list[Trajectory], samples: list[Sample], n_new: int, settings: RewardSettings,
                gen: torch.Generator, record: dict[str, Any]) -> list[float]:
    """Fit the critics, then set every sample's reward and advantage; returns V per sample. Records the critics'
    quality: on this phase's new episodes before the fit (out of sample; from the second RL phase) and after."""
    cfg, algo, pad = run.cfg, run.algo, run.tok.pad_token_id
    if run.critic is None:  # first RL phase: the critic starts as a copy of the SFT model
        run.critic = Critic(run.model, cfg.critic_trainable_layers)
    else:
        fresh = samples[:n_new]
        record.update(critic_quality(fresh, *critic_predict(run.critic, fresh, pad, cfg.batch_size), "fresh",
                                     algo.potential_critic))
    record.update(fit_critic(run.critic, samples, algo, pad, cfg, gen))
    values, potentials = critic_predict(run.critic, samples, pad, cfg.batch_size)
    record.update(critic_quality(samples, values, potentials, "fit", algo.potential_critic))
    assign_targets(trajs, samples, values, potentials, settings)
    record.update(target_metrics(samples, values))
    return values


def curriculum(run: Run, new: list[Trajectory], samples: list[Sample], values: list[float]) -> list[str]:
    """Next phase's tasks (WebRL's self-evolving curriculum): failed tasks seed new variants (other instances of
    their intent template); tasks whose V(s_0) lies in the band come first."""
    v0: dict[str, float] = {}
    for s, v in zip(samples, values, strict=True):
        if s.step == 0 and s.traj < len(new):
            v0[new[s.traj].task_id.split("/", 1)[-1]] = v
    failed = [t.task_id.split("/", 1)[-1] for t in new if not t.success]
    fresh = variants(failed, run.families, set(v0))
    run.rng.shuffle(fresh)
    fresh = fresh[:2 * run.cfg.rollouts_per_phase]
    v0.update(initial_values(run, fresh))
    return next_tasks(failed + fresh, run.task_ids, v0.get, run.cfg.rollouts_per_phase,
                      run.cfg.curriculum_low, run.cfg.curriculum_high, run.rng)


def initial_values(run: Run, task_ids: list[str]) -> dict[str, float]:
    """V(s_0) of tasks not played yet: reset each (one greedy step records the policy's view of s_0), then the
    critic reads that first state."""
    if not task_ids or run.critic is None:
        return {}
    trajs = [run.rollout(tid, run.cfg.seed, None, 0.0, max_steps=1) for tid in task_ids]
    firsts = [s for i, t in enumerate(trajs) for s in samples_of(run, [t], i) if s.step == 0]
    v, _ = critic_predict(run.critic, firsts, run.tok.pad_token_id, run.cfg.batch_size)
    return {task_ids[s.traj]: x for s, x in zip(firsts, v, strict=True)}


def rollout_metrics(trajs: list[Trajectory]) -> dict[str, float]:
    n = max(1, len(trajs))
    return {
        "rollout/episodes": len(trajs),
        "rollout/success": sum(t.success for t in trajs) / n,
        "rollout/progress": sum(sum(t.progress) / len(t.progress) if t.progress else 0.0 for t in trajs) / n,
        "rollout/steps": sum(len(t.steps) for t in trajs) / n,
        "rollout/parse_errors": sum(1 for t in trajs for s in t.steps if not s.action) / n,
    }


def correlation(xs: list[float], ys: list[float]) -> float:
    """Pearson's r, 0 where either side is constant (or there are fewer than 2 points)."""
    if len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return 0.0
    return statistics.correlation(xs, ys)


def critic_quality(samples: list[Sample], values: list[float], potentials: list[float], tag: str,
                   potential: bool = True) -> dict[str, float]:
    """How well V tracks success and (`potential`) P the progress labels on `samples`: Pearson's r, P's MSE."""
    out = {f"critic/{tag}_value_r": correlation(values, [float(s.success) for s in samples])}
    if potential and samples:
        labels = [s.progress for s in samples]
        out[f"critic/{tag}_potential_r"] = correlation(potentials, labels)
        out[f"critic/{tag}_potential_mse"] = statistics.fmean((p - y) ** 2 for p, y in zip(potentials, labels,
                                                                                             strict=True))
    return out


def target_metrics(samples: list[Sample], values: list[float]) -> dict[str, float]:
    return {
        "reward/mean": statistics.fmean(s.reward for s in samples),
        "reward/advantage_mean": statistics.fmean(s.advantage for s in samples),
        "reward/advantage_std": statistics.pstdev([s.advantage for s in samples]),
        "reward/value_mean": statistics.fmean(values),
        "reward/progress_label_mean": statistics.fmean(s.progress for s in samples),
    }
