"""Trajectories -> per-step samples -> padded batches, and log-probs of actions under a model.

A sample is one step: the chat template applied to the step's exact messages (the prompt), then the action's
tokens (the policy's own, from Step.info["action_ids"] when it generated them). Its reward and advantage sit
on that action. Batches are laid out [left pad, prompt, action, right pad], so every action starts at the same
column: the LM head runs only on the action columns (`logits_to_keep`), which is most of the speed of our update,
and a critic reads each state's last token at one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from mira.train.models import module_device, to_device
from mira.train.scored import collate_trees, state_ids, tree_from_step, tree_logprobs
from mira.types import Step, Trajectory


@dataclass
class Sample:
    """One step made trainable; targets are filled in by the algorithm."""

    prompt_ids: list[int]
    action_ids: list[int]
    traj: int = 0
    """Index of the trajectory in its phase's list."""
    step: int = 0
    success: float = 0.0
    value_target: float = 0.0
    """What V is fitted to for this state (rewards.VALUE_TARGETS)."""
    progress: float = 0.0
    """Progress label p_t of the state the action was taken in."""
    reward: float = 0.0
    advantage: float = 0.0
    ref_logp: float = 0.0
    """Mean token log-prob under pi_ref (the actor before this phase's update)."""
    weight: float = 1.0
    tree: Any = None
    """A `scored` policy's decision (mira.train.scored.Tree); then prompt_ids is the critic's view of the state."""


def prompt_ids(tokenizer: Any, messages: list[dict[str, str]], max_tokens: int) -> list[int]:
    """The chat template with the assistant header; long prompts keep their last `max_tokens` tokens."""
    enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    ids = list(enc["input_ids"] if hasattr(enc, "keys") else enc)
    return ids[-max_tokens:]


def action_ids(tokenizer: Any, step: Step) -> list[int]:
    """The policy's own tokens if recorded, else the reply tokenised, ending with end-of-turn."""
    if step.info.get("action_ids"):
        return [int(i) for i in step.info["action_ids"]]
    return list(tokenizer(step.reply, add_special_tokens=False)["input_ids"]) + [tokenizer.eos_token_id]


def trajectory_samples(traj: Trajectory, tokenizer: Any, index: int = 0, max_prompt_tokens: int = 512) -> list[Sample]:
    """One sample per step that has messages and a reply; the rest (unparsed, scripted) are skipped."""
    out = []
    scored = any("scored" in step.info for step in traj.steps)
    for t, step in enumerate(traj.steps):
        if (tree := tree_from_step(step, tokenizer, max_prompt_tokens)) is not None:
            out.append(Sample(state_ids(tree, tokenizer, 2 * max_prompt_tokens), [], traj=index, step=t,
                              success=float(traj.success), tree=tree))
            continue
        if not step.messages or not (step.reply or step.info.get("action_ids")) or scored:
            continue  # a scored policy's trajectory trains on its decisions only (not on e.g. a demo's `goto`)
        out.append(Sample(prompt_ids(tokenizer, step.messages, max_prompt_tokens), action_ids(tokenizer, step),
                          traj=index, step=t, success=float(traj.success)))
    return out


def collate(samples: Sequence[Sample], pad_id: int, with_actions: bool = True) -> dict[str, Any]:
    """input_ids, attention_mask, position_ids (B, P+A) and action_mask (B, A); A = 0 without actions.

    Samples of the `scored` policy collate with actions as packed candidate trees (mira.train.scored)."""
    if with_actions and samples[0].tree is not None:
        return collate_trees([s.tree for s in samples], pad_id)
    p_max = max(len(s.prompt_ids) for s in samples)
    a_max = max(len(s.action_ids) for s in samples) if with_actions else 0
    b = len(samples)
    ids = torch.full((b, p_max + a_max), pad_id, dtype=torch.long)  # (B, T)
    mask = torch.zeros((b, p_max + a_max), dtype=torch.long)  # (B, T)
    amask = torch.zeros((b, a_max))  # (B, A)
    for i, s in enumerate(samples):
        p = len(s.prompt_ids)
        ids[i, p_max - p:p_max] = torch.tensor(s.prompt_ids)
        mask[i, p_max - p:p_max] = 1
        if with_actions:
            a = len(s.action_ids)
            ids[i, p_max:p_max + a] = torch.tensor(s.action_ids)
            mask[i, p_max:p_max + a] = 1
            amask[i, :a] = 1
    pos = (mask.cumsum(-1) - 1).clamp_min(0)  # (B, T): positions restart after the left padding
    return {"input_ids": ids, "attention_mask": mask, "position_ids": pos, "action_mask": amask}


def action_logprobs(model: Any, batch: dict[str, Any]) -> torch.Tensor:
    """Mean token log-prob of each action (B,) on the model's device, computing logits only on the action columns.

    For a `scored` batch: log pi of the chosen candidate(s) (a proper log-probability over the page's actions)."""
    batch = to_device(batch, module_device(model))
    if "tree_ids" in batch:
        return tree_logprobs(model, batch)
    amask = batch["action_mask"]  # (B, A)
    a = amask.shape[1]
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                position_ids=batch["position_ids"], logits_to_keep=a + 1, use_cache=False)
    logits = out.logits[:, :a].float()  # (B, A, V): position P-1+j predicts action token j
    targets = batch["input_ids"][:, -a:]  # (B, A)
    tok_logp = torch.log_softmax(logits, dim=-1).gather(-1, targets[..., None])[..., 0]  # (B, A)
    return (tok_logp * amask).sum(-1) / amask.sum(-1).clamp_min(1.0)  # (B,)


def sample_length(s: Sample) -> int:
    """Tokens a sample puts through the model (its packed tree for a `scored` sample)."""
    if s.tree is not None:
        return len(s.tree.prompt) + sum(map(len, s.tree.heads)) + sum(map(len, s.tree.tails))
    return len(s.prompt_ids) + len(s.action_ids)


def minibatches(samples: Sequence[Sample], size: int, generator: torch.Generator | None = None,
                bucket: int = 8) -> list[list[Sample]]:
    """Shuffled chunks of `size` samples, of similar lengths: each run of `bucket` chunks is sorted by length
    before it is cut (padding to the longest sample is most of the cost otherwise), then the chunks are shuffled."""
    order = torch.randperm(len(samples), generator=generator).tolist()
    span = size * max(1, bucket)
    chunks = []
    for j in range(0, len(order), span):
        group = sorted(order[j:j + span], key=lambda i: sample_length(samples[i]))
        chunks += [[samples[i] for i in group[k:k + size]] for k in range(0, len(group), size)]
    perm = torch.randperm(len(chunks), generator=generator).tolist()
    return [chunks[i] for i in perm]
