"""One phase's learning steps: SFT, critic fitting, per-step targets, and the actor update."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from mira.train.algorithms import Algorithm
from mira.train.batch import Sample, action_logprobs, collate, minibatches
from mira.train.losses import LossSettings, get_actor_loss, potential_loss, value_loss
from mira.train.models import Critic, module_device, to_device
from mira.train.rewards import RewardSettings, progress_labels, state_progress, step_targets, value_targets
from mira.train.scored import in_length_groups, row_group
from mira.types import Trajectory


class LossExploded(RuntimeError):
    """A NaN/inf or too-large loss: the phase stops and the last good checkpoint stays."""


def make_optimiser(params: list[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """The optimiser of every update (AdamW, no weight decay); benchmarks build theirs here too."""
    return torch.optim.AdamW(params, lr=lr, weight_decay=0.0)


def accumulate_step(
    opt: torch.optim.Optimizer, params: list[torch.nn.Parameter], chunk: list[Sample],
    loss_fn: Callable[[list[Sample]], torch.Tensor], max_grad_norm: float, max_loss: float, micro_batch: int = 0,
    weight_fn: Callable[[list[Sample]], float] = len,
) -> float:
    """One optimiser step on `chunk`, its gradient summed over micro-chunks of `micro_batch` samples (0: one pass).

    `loss_fn` is a mean over its argument, so a micro-chunk's loss is scaled by weight_fn(micro) / weight_fn(chunk)
    and the summed gradient equals the whole chunk's. Returns the chunk's loss; raises LossExploded before stepping.
    """
    if micro_batch < 0:
        raise ValueError(f"micro_batch must be >= 0 (0: no accumulation), got {micro_batch}")
    size = micro_batch if 0 < micro_batch < len(chunk) else len(chunk)
    total_w = weight_fn(chunk)
    opt.zero_grad(set_to_none=True)
    value = 0.0
    for j in range(0, len(chunk), size):
        micro = chunk[j:j + size]
        loss = loss_fn(micro) * (weight_fn(micro) / total_w if size < len(chunk) else 1.0)
        part = float(loss.detach())
        value += part
        if not math.isfinite(part):  # no backward through a NaN
            break
        loss.backward()
    if not math.isfinite(value) or abs(value) > max_loss:
        opt.zero_grad(set_to_none=True)
        raise LossExploded(f"loss {value} (limit {max_loss})")
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    opt.step()
    opt.zero_grad(set_to_none=True)  # free the gradients (smollm2: 0.5 GB) before whatever runs next
    return value


def optimise(
    params: list[torch.nn.Parameter], chunks: Sequence[list[Sample]], loss_fn: Callable[[list[Sample]], torch.Tensor],
    lr: float | torch.optim.Optimizer, max_grad_norm: float, max_loss: float, micro_batch: int = 0,
    weight_fn: Callable[[list[Sample]], float] = len,
) -> list[float]:
    """Steps over `chunks` (micro-batched, see accumulate_step) with a new AdamW at `lr`, or with the optimiser given
    as `lr` (its state carried across calls); returns the losses; raises LossExploded before stepping on a bad loss."""
    opt = lr if isinstance(lr, torch.optim.Optimizer) else make_optimiser(params, lr)
    losses = []
    for i, chunk in enumerate(chunks):
        try:
            losses.append(accumulate_step(opt, params, chunk, loss_fn, max_grad_norm, max_loss, micro_batch, weight_fn))
        except LossExploded as e:
            raise LossExploded(f"{e} at minibatch {i + 1}/{len(chunks)}") from None
    return losses


def trainable(module: torch.nn.Module) -> list[torch.nn.Parameter]:
    return [p for p in module.parameters() if p.requires_grad]


@torch.no_grad()
def mean_logprobs(model: Any, samples: Sequence[Sample], pad_id: int, batch_size: int) -> list[float]:
    """Mean token log-prob of each sample's action under `model` (no grad), in order."""
    model.eval()
    out: list[float] = []
    for j in range(0, len(samples), batch_size):
        out += action_logprobs(model, collate(samples[j:j + batch_size], pad_id)).tolist()
    model.train()
    return out


def critic_logits(critic: Critic, chunk: Sequence[Sample], pad_id: int, rows: int = 0) -> torch.Tensor:
    """The critic's logits (B, 2) for the samples' states on its device, read in groups of similar length
    (scored.row_group)."""
    device = module_device(critic)

    def forward(idx: list[int]) -> torch.Tensor:
        b = to_device(collate([chunk[i] for i in idx], pad_id, with_actions=False), device)
        return critic(b["input_ids"], b["attention_mask"], b["position_ids"])  # (r, 2)

    return in_length_groups([len(s.prompt_ids) for s in chunk], forward, rows or row_group(device))


@torch.no_grad()
def critic_predict(critic: Critic, samples: Sequence[Sample], pad_id: int, batch_size: int) -> tuple[list[float], list[float]]:
    """(V, P) in [0, 1] for each sample's state."""
    critic.eval()
    v: list[float] = []
    p: list[float] = []
    for j in range(0, len(samples), batch_size):
        probs = torch.sigmoid(critic_logits(critic, samples[j:j + batch_size], pad_id))  # (B, 2)
        v += probs[:, 0].tolist()
        p += probs[:, 1].tolist()
    critic.train()
    return v, p


def label_progress(trajs: Sequence[Trajectory], samples: Sequence[Sample]) -> None:
    """Set each sample's progress label p_t from its trajectory's z sequence."""
    labels = [progress_labels(state_progress(t), len(t.progress)) for t in trajs]
    for s in samples:
        s.progress = labels[s.traj][s.step]


def label_values(trajs: Sequence[Trajectory], samples: Sequence[Sample], settings: RewardSettings) -> None:
    """Set each sample's value target (settings.value_target) from its trajectory's outcome and length."""
    targets = [value_targets(len(t.steps), t.success, settings.gamma, settings.value_target) for t in trajs]
    for s in samples:
        s.value_target = targets[s.traj][s.step]


def fit_critic(critic: Critic, samples: Sequence[Sample], algo: Algorithm, pad_id: int, cfg: Any,
               gen: torch.Generator, epochs: int | None = None, value: bool = True) -> dict[str, float]:
    """BCE of V onto its targets (label_values; unless not `value`) and (mira) MSE of P onto progress labels, `epochs` passes
    (None: cfg.critic_epochs)."""
    def loss_fn(chunk: list[Sample]) -> torch.Tensor:
        logits = critic_logits(critic, chunk, pad_id)  # (B, 2)
        loss = value_loss(logits[:, 0], logits.new_tensor([s.value_target for s in chunk])) if value else logits.new_zeros(())
        if algo.potential_critic:
            loss = loss + potential_loss(logits[:, 1], logits.new_tensor([s.progress for s in chunk]))
        return loss

    n = cfg.critic_epochs if epochs is None else epochs
    chunks = [c for _ in range(n) for c in minibatches(samples, cfg.batch_size, gen)]
    losses = optimise(trainable(critic), chunks, loss_fn, cfg.critic_lr, cfg.max_grad_norm, cfg.max_loss,
                      cfg.micro_batch_size)
    return {"loss/critic": sum(losses) / max(1, len(losses))}


def assign_targets(trajs: Sequence[Trajectory], samples: Sequence[Sample], values: Sequence[float],
                   potentials: Sequence[float], settings: RewardSettings) -> None:
    """Per-step rewards and advantages from critic outputs (or, with settings.potential "label", the trajectory's
    progress labels as potentials); a state without a sample reads 0."""
    by_traj: dict[int, list[int]] = {}
    for i, s in enumerate(samples):
        by_traj.setdefault(s.traj, []).append(i)
    for ti, idx in by_traj.items():
        n = len(trajs[ti].steps)
        v, p = [0.0] * (n + 1), [0.0] * (n + 1)
        for i in idx:
            v[samples[i].step], p[samples[i].step] = values[i], potentials[i]
        if settings.potential == "label":
            p = progress_labels(state_progress(trajs[ti]), len(trajs[ti].progress))
        elif n:
            p[n] = p[n - 1]  # the critic never reads the final state; terminal_potential "last" holds P(s_{T-1})
        rewards, advs = step_targets(trajs[ti], v, p, settings)
        for i in idx:
            samples[i].reward, samples[i].advantage = rewards[samples[i].step], advs[samples[i].step]


def keep_actor_samples(samples: Sequence[Sample], which: str) -> None:
    """Zero the weight of the samples the actor's loss skips (config `actor_samples`): none for `all`, those with
    A <= 0 for `positive`."""
    if which == "positive":
        for s in samples:
            s.weight *= float(s.advantage > 0)


def actor_weight(chunk: Sequence[Sample]) -> float:
    """A chunk's denominator in the actor losses' weighted mean (sum of weights, at least 1: losses._wmean)."""
    return max(1.0, sum(s.weight for s in chunk))


def actor_update(model: Any, samples: Sequence[Sample], algo: Algorithm, pad_id: int, cfg: Any,
                 gen: torch.Generator, lr: float | torch.optim.Optimizer | None = None,
                 epochs: int | None = None) -> dict[str, float]:
    """The algorithm's actor loss over the samples (ref_logp, advantage and weight already set); `lr` as in
    optimise (None: cfg.lr)."""
    loss = get_actor_loss(algo.actor_loss)
    settings = LossSettings(beta=cfg.beta, awr_temperature=cfg.awr_temperature)

    def loss_fn(chunk: list[Sample]) -> torch.Tensor:
        logp = action_logprobs(model, collate(chunk, pad_id))  # (B,)
        ref = logp.new_tensor([s.ref_logp for s in chunk])
        adv = logp.new_tensor([s.advantage for s in chunk])
        return loss(logp, ref, adv, logp.new_tensor([s.weight for s in chunk]), settings)

    n = cfg.actor_epochs if epochs is None else epochs
    chunks = [c for _ in range(n) for c in minibatches(samples, cfg.batch_size, gen)]
    losses = optimise(trainable(model), chunks, loss_fn, cfg.lr if lr is None else lr, cfg.max_grad_norm, cfg.max_loss,
                      cfg.micro_batch_size, actor_weight)
    return {"loss/actor": sum(losses) / max(1, len(losses))}
