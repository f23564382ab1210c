"""The `scored` policy's update step: candidate-tree rows read in length groups vs as one padded batch.

The trees are the arena oracle's decisions on training tasks as the `scored` policy sees them (browserless
arena, the shipped tiny-arena-sft policy); one step is forward + backward of log pi(chosen) on a minibatch.
Rounds alternate the two settings; the medians and their ratio are printed.

    .venv/bin/python benchmarks/bench_scored_update.py --tasks 24 --batch 16 --rounds 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

import torch

START = Path(__file__).resolve().parents[1] / "checkpoints" / "tiny-arena-sft" / "policy"


def oracle_trees(tok: Any, n_tasks: int, max_prompt_tokens: int) -> list[Any]:
    from mira.arena.oracle import OracleAgent
    from mira.env import get_suite, make_env
    from mira.rollout import run_episode
    from mira.train.scored import ScoredTeacher, tree_from_step

    trees = []
    for tid in get_suite("arena").task_ids("train")[:n_tasks]:
        with make_env(f"arena/{tid}", browserless=True) as env:
            traj = run_episode(env, ScoredTeacher(OracleAgent(), 3), max_steps=60, seed=0)
        trees += [t for s in traj.steps if (t := tree_from_step(s, tok, max_prompt_tokens)) is not None]
    return trees


def step_seconds(model: Any, batches: list[list[Any]], pad_id: int, rows: int) -> float:
    from mira.train import scored

    default, scored.ROW_GROUP = scored.ROW_GROUP, rows
    try:
        t0 = time.perf_counter()
        for b in batches:
            model.zero_grad(set_to_none=True)
            scored.tree_logprobs(model, scored.collate_trees(b, pad_id)).sum().backward()
        return (time.perf_counter() - t0) / len(batches)
    finally:
        scored.ROW_GROUP = default


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=24, help="arena training tasks the oracle plays")
    ap.add_argument("--batch", type=int, default=16, help="trees per minibatch")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    from mira.train.models import load_pretrained

    torch.set_num_threads(args.threads)
    model, tok = load_pretrained(START)
    model.train()
    trees = oracle_trees(tok, args.tasks, 256)
    random.Random(0).shuffle(trees)
    batches = [trees[i:i + args.batch] for i in range(0, len(trees) - args.batch + 1, args.batch)]
    print(f"{len(trees)} trees, {len(batches)} minibatches of {args.batch}")
    one, grouped = [], []
    step_seconds(model, batches[:1], tok.pad_token_id, 4)  # warm-up
    for _ in range(args.rounds):
        one.append(step_seconds(model, batches, tok.pad_token_id, 10_000))
        grouped.append(step_seconds(model, batches, tok.pad_token_id, 4))
    a, b = statistics.median(one), statistics.median(grouped)
    print(f"one padded batch:        {a:.3f} s/step (median of {args.rounds})")
    print(f"length groups of 4 rows: {b:.3f} s/step  ({a / b:.2f}x faster)")


if __name__ == "__main__":
    main()
