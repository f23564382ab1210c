"""The `scored` policy: an LM that chooses among the page's valid actions by their log-likelihood.

pi(a | s) = softmax over heads of the mean token log p_LM(head words | prompt), times, for heads that take an
argument, softmax over tails of the mean token log p_LM(`[tail]` + end-of-turn | prompt, head). The prompt holds
the goal, the URL path and the past actions in words; the candidates are the page. All heads are scored in one row of a batch and the tails of the
chosen head in a second: the candidates are packed after the prompt with an attention mask by which each sees only
the prompt and itself, with position ids that restart after the prompt, as if each were the only continuation.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import torch

from mira.train.candidates import Choice, choices, locate, render
from mira.train.models import module_device, to_device
from mira.train.teacher import Teacher
from mira.types import Message, Observation, Step, Task, Trajectory

SYSTEM = "You are a web agent. Choose the next action.\n"


@dataclass
class Tree:
    """One decision, tokenised: the prompt, every head, the chosen head's tails and what was chosen."""

    prompt: list[int]
    heads: list[list[int]]
    """Token ids of each head; heads without tails end with end-of-turn (their score is complete)."""
    head: int
    tails: list[list[int]]
    """Token ids of each tail of the chosen head (`[tail]` + end-of-turn); empty if it takes none."""
    tail: int = -1


def build_messages(obs: Observation, traj: Trajectory, history: int = 3) -> list[Message]:
    """Goal, URL path (the host's port changes between runs) and the last `history` actions in words."""
    url = urlsplit(obs.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    past = [s.reply for s in traj.steps[-history:]] if history else []
    user = f"Goal: {obs.goal or traj.goal}\nURL: {path}\nPrevious: " + (" ; ".join(past) if past else "none")
    if obs.error:
        user += f"\nError: {obs.error[:200]}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def said(choice: Choice, tail: str | None) -> str:
    """The action in words, as the next prompts show it."""
    return f"{choice.text} [{tail}]" if choice.tails else choice.text


def _ids(tok: Any, text: str) -> list[int]:
    return list(tok(text, add_special_tokens=False)["input_ids"])


def encode(tok: Any, messages: list[Message], heads: list[Choice], tails: tuple[str, ...], max_prompt: int) -> Tree:
    """Tokenise a decision (head/tail indices are filled in by the caller)."""
    from mira.train.batch import prompt_ids

    eos = tok.eos_token_id
    return Tree(prompt=prompt_ids(tok, messages, max_prompt),
                heads=[_ids(tok, c.text) + ([] if c.tails else [eos]) for c in heads], head=-1,
                tails=[_ids(tok, f" [{t}]") + [eos] for t in tails])


def tree_from_step(step: Step, tok: Any, max_prompt: int) -> Tree | None:
    """The Tree of a recorded step (Step.info["scored"]), or None if the step was not a scored decision."""
    rec = step.info.get("scored")
    if not rec or not step.messages:
        return None
    heads = [Choice(text, "", ("?",) if tailed else ()) for text, tailed in rec["heads"]]
    tree = encode(tok, step.messages, heads, tuple(rec["tails"]), max_prompt)
    tree.head, tree.tail = rec["head"], rec["tail"]
    return tree


def record(heads: list[Choice], head: int, tail: int) -> dict[str, Any]:
    """What Step.info["scored"] keeps: enough to rebuild the Tree."""
    return {"heads": [[c.text, bool(c.tails)] for c in heads], "head": head, "tail": tail,
            "tails": list(heads[head].tails)}


def pack(prompt: list[int], candidates: list[list[int]], first_group: int) -> dict[str, Any]:
    """One row: the prompt, then each candidate as a segment that sees the prompt and itself, with positions
    continuing the prompt's; for each candidate token its predictor position, target and group."""
    p = len(prompt)
    ids, pos, seg = list(prompt), list(range(p)), [0] * p
    pred: list[int] = []
    tgt: list[int] = []
    grp: list[int] = []
    for g, toks in enumerate(candidates):
        for j, t in enumerate(toks):
            pred.append(p - 1 if j == 0 else len(ids) - 1)
            tgt.append(t)
            grp.append(first_group + g)
            ids.append(t)
            pos.append(p + j)
            seg.append(g + 1)
    return {"ids": ids, "pos": pos, "seg": seg, "pred": pred, "tgt": tgt, "grp": grp}


def rows_of(tree: Tree, with_tails: bool) -> list[dict[str, Any]]:
    """A tree as rows: prompt + heads, then (if it has tails) prompt + chosen head + tails. Two short rows cost
    less than one long one (attention is quadratic) and keep every row depth-1."""
    rows = [pack(tree.prompt, tree.heads, 0)]
    if with_tails and tree.tails:
        rows.append(pack(tree.prompt + tree.heads[tree.head], tree.tails, len(tree.heads)))
    return rows


def collate_trees(trees: list[Tree], pad_id: int, with_tails: bool = True) -> dict[str, Any]:
    """A batch of rows: input_ids/position_ids (R, L), attention_mask (R, 1, L, L) bool, scoring indices, and
    for each row the tree it belongs to."""
    rows, owner = [], []
    for i, t in enumerate(trees):
        for r in rows_of(t, with_tails):
            rows.append(r)
            owner.append(i)
    b, length = len(rows), max(len(r["ids"]) for r in rows)
    n = max(1, max(len(r["pred"]) for r in rows))
    ids = torch.full((b, length), pad_id, dtype=torch.long)  # (R, L)
    pos = torch.zeros((b, length), dtype=torch.long)  # (R, L)
    mask = torch.zeros((b, 1, length, length), dtype=torch.bool)  # (R, 1, L, L)
    pred = torch.zeros((b, n), dtype=torch.long)  # (R, N)
    tgt = torch.zeros((b, n), dtype=torch.long)  # (R, N)
    grp = torch.full((b, n), -1, dtype=torch.long)  # (R, N): -1 = padding
    causal = torch.tril(torch.ones((length, length), dtype=torch.bool))
    for i, r in enumerate(rows):
        k, m = len(r["ids"]), len(r["pred"])
        ids[i, :k], pos[i, :k] = torch.tensor(r["ids"]), torch.tensor(r["pos"])
        seg = torch.tensor(r["seg"] + [-1] * (length - k))  # (L,): padding is a segment of its own
        q, kk = seg[:, None], seg[None, :]
        mask[i, 0] = ((kk == q) | ((kk == 0) & (q >= 0))) & causal  # own segment and the prompt, never the future
        pred[i, :m], tgt[i, :m], grp[i, :m] = torch.tensor(r["pred"]), torch.tensor(r["tgt"]), torch.tensor(r["grp"])
    return {"tree_ids": ids, "tree_pos": pos, "tree_mask": mask, "pred": pred, "tgt": tgt, "grp": grp,
            "owner": owner, "lengths": [len(r["ids"]) for r in rows], "heads": [len(t.heads) for t in trees],
            "groups": [len(t.heads) + (len(t.tails) if with_tails else 0) for t in trees],
            "chosen": [(t.head, t.tail) for t in trees]}


def length_buckets(lengths: list[int], rows: int) -> list[list[int]]:
    """Row indices sorted by length (longest first) in groups of `rows`: each group is padded only to its own
    longest row, which spares most of the padding a batch of mixed lengths carries."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i:i + rows] for i in range(0, len(order), rows)]


ROW_GROUP = 4
"""Rows per forward where rows of mixed lengths are read on the CPU (predicting_states, the critic's states): sorted
by length, each group pads only to its own longest row (`benchmarks/bench_scored_update.py` measures it against one
padded batch)."""
GPU_ROW_GROUP = 64
"""The same on a GPU, where padding costs little and each forward's kernel launches cost most."""


def row_group(device: torch.device) -> int:
    return ROW_GROUP if device.type == "cpu" else GPU_ROW_GROUP


def in_length_groups(lengths: list[int], forward: Callable[[list[int]], torch.Tensor], rows: int = 0) -> torch.Tensor:
    """forward(indices) over length_buckets of `rows` (0: ROW_GROUP) rows, concatenated back into the rows' order."""
    parts, order = [], []
    for idx in length_buckets(lengths, rows or ROW_GROUP):
        parts.append(forward(idx))
        order += idx
    out = torch.cat(parts)
    return out[torch.argsort(torch.tensor(order, device=out.device))]


def predicting_states(trunk: Any, batch: dict[str, Any], rows: int = 0) -> torch.Tensor:
    """The trunk's hidden state at every scored position (R, N, H), `rows` (0: row_group of the batch's device)
    rows of similar length at a time."""
    device = batch["tree_ids"].device

    def forward(idx: list[int]) -> torch.Tensor:
        k, sel = max(batch["lengths"][i] for i in idx), torch.tensor(idx, device=device)
        hidden = trunk(input_ids=batch["tree_ids"][sel, :k], attention_mask=batch["tree_mask"][sel][:, :, :k, :k],
                       position_ids=batch["tree_pos"][sel, :k], use_cache=False).last_hidden_state  # (r, k, H)
        return hidden.gather(1, batch["pred"][sel][..., None].expand(-1, -1, hidden.shape[-1]))  # (r, N, H)

    return in_length_groups(batch["lengths"], forward, rows or row_group(device))


def group_scores(model: Any, batch: dict[str, Any]) -> list[torch.Tensor]:
    """Mean token log-prob of every candidate of every tree: a (G_i,) tensor per tree (heads, then tails).

    Length-normalised (as LM multiple-choice scoring usually is): with summed log-probs an untrained model would
    all but always pick the shortest candidate (`stop`), which is no start for exploration."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    batch = to_device(batch, module_device(base))
    h = predicting_states(base.model, batch)  # (R, N, H)
    logits = base.get_output_embeddings()(h).float()  # (R, N, V)
    tok_logp = torch.log_softmax(logits, -1).gather(-1, batch["tgt"][..., None])[..., 0]  # (R, N)
    totals = [tok_logp.new_zeros(g) for g in batch["groups"]]
    counts = [tok_logp.new_zeros(g) for g in batch["groups"]]
    for r, t in enumerate(batch["owner"]):
        valid = batch["grp"][r] >= 0
        idx = batch["grp"][r][valid]
        totals[t] = totals[t].index_add(0, idx, tok_logp[r][valid])
        counts[t] = counts[t].index_add(0, idx, torch.ones_like(tok_logp[r][valid]))
    return [tot / c.clamp_min(1.0) for tot, c in zip(totals, counts, strict=True)]


def tree_logprobs(model: Any, batch: dict[str, Any]) -> torch.Tensor:
    """log pi(chosen head, chosen tail | s) for each row (B,)."""
    out = []
    for scores, h, (head, tail) in zip(group_scores(model, batch), batch["heads"], batch["chosen"], strict=True):
        lp = torch.log_softmax(scores[:h], 0)[head]
        if tail >= 0:
            lp = lp + torch.log_softmax(scores[h:], 0)[tail]
        out.append(lp)
    return torch.stack(out)


def state_ids(tree: Tree, tok: Any, max_tokens: int) -> list[int]:
    """What a critic reads for this state: the prompt then every head, truncated at the end."""
    flat = list(tree.prompt)
    for h in tree.heads:
        flat += [t for t in h if t != tok.eos_token_id] + _ids(tok, "\n")
    return flat[:max_tokens]


class ScoredAgent:
    """The `scored` policy as an Agent: samples a head, then a tail, at `temperature` (0 = greedy)."""

    name = "scored"

    def __init__(self, model: Any, tokenizer: Any, *, temperature: float = 1.0, max_prompt_tokens: int = 256,
                 history: int = 3, seed: int = 0) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.temperature, self.max_prompt_tokens, self.history = temperature, max_prompt_tokens, history
        self.rng = random.Random(seed)

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        return None

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        messages = build_messages(obs, traj, self.history)
        heads = choices(obs, obs.goal or traj.goal)
        tree = encode(self.tokenizer, messages, heads, (), self.max_prompt_tokens)
        head = self._pick(self._scores(tree)[:len(heads)])
        tail = -1
        if heads[head].tails:
            tree = encode(self.tokenizer, messages, heads, heads[head].tails, self.max_prompt_tokens)
            tree.head = head
            tail = self._pick(self._scores(tree)[len(heads):])
        choice = heads[head]
        arg = choice.tails[tail] if tail >= 0 else None
        return Step(action=render(choice, arg), reply=said(choice, arg), progress=list(traj.progress),
                    messages=messages, info={"scored": record(heads, head, tail)})

    @torch.no_grad()
    def _scores(self, tree: Tree) -> torch.Tensor:
        was = self.model.training
        self.model.eval()
        out = group_scores(self.model, collate_trees([tree], self.tokenizer.pad_token_id))[0]
        self.model.train(was)
        return out

    def _pick(self, scores: torch.Tensor) -> int:
        if self.temperature <= 0:
            return int(scores.argmax())
        probs = torch.softmax(scores / self.temperature, 0).tolist()
        return self.rng.choices(range(len(probs)), weights=probs)[0]


class ScoredTeacher(Teacher):
    """Steps read like the `scored` policy's: the same prompt, the action located among the page's choices and
    recorded as the choice. An action that is not among the choices (e.g. typing text read on another page) is
    still played, but not recorded as a decision."""

    name = "scored-teacher"

    def annotate(self, step: Step, obs: Observation, traj: Trajectory) -> None:
        heads = choices(obs, obs.goal or traj.goal)
        hit = locate(heads, step.action)
        step.messages = build_messages(obs, traj, self.history)
        step.reply = step.action
        if hit is not None:
            head, tail = hit
            step.reply = said(heads[head], heads[head].tails[tail] if tail >= 0 else None)
            step.info["scored"] = record(heads, head, tail)


@functools.lru_cache(maxsize=2)
def _load(spec: str) -> tuple[Any, Any]:
    from mira.train.models import load_pretrained, resolve_model_path

    path = resolve_model_path(spec)
    if path is None:
        raise ValueError(f"the scored agent needs a trained model (tiny:PATH, hf:PATH or smollm2), got {spec!r}")
    model, tok = load_pretrained(path)
    return model.eval(), tok


class ScoredPolicy(ScoredAgent):
    """The `scored` agent of `mira eval --agent scored --llm tiny:PATH`: a saved policy, greedy by default."""

    def __init__(self, llm: str, temperature: float = 0.0, max_prompt_tokens: int = 256, history: int = 3) -> None:
        model, tok = _load(llm)
        super().__init__(model, tok, temperature=temperature, max_prompt_tokens=max_prompt_tokens, history=history)
