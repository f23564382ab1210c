"""Measure one RL setting of the demo's job (`mira train --preset tiny-arena` from the shipped start) where it may be
tuned: on validation tasks, never on the demo's reported ones.

`--on validation`: held-out success on `validation_tasks(64)` (test split, disjoint from the demo's 64 tasks).
`--on train N`: RL on a fixed set of N train tasks without curriculum, greedy success on those same tasks: can the
update improve the policy on the tasks it trains on at all (and is it the greedy policy that improves)?

    .venv/bin/python benchmarks/rl_settings.py --algo mira --seed 0 --out /tmp/rl lr=1e-4 temperature=0.5
    .venv/bin/python benchmarks/rl_settings.py --algo webrl --on train 24 --out /tmp/fx rollouts_per_phase=48 \
        phases=6 temperature=1 lr=1e-3 curriculum_share=0

Prints one line per phase (greedy eval/success and eval/progress where evaluated, rollout/success) and the
metrics file's path. Each run starts from scratch: `--out` must not exist.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import torch

from mira.env import get_suite
from mira.train.config import make_config, parse_overrides
from mira.train.demo import DemoConfig, rl_config, validation_tasks
from mira.train.loop import train

SHOWN = ("eval/success", "eval/progress", "rollout/success", "reward/advantage_mean")


def fixed_train_tasks(n: int) -> list[str]:
    ids = get_suite("arena").task_ids("train")
    random.Random(123).shuffle(ids)
    return ids[:n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--algo", default="mira", choices=("webrl", "mira"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--on", nargs="+", default=["validation"], metavar="WHERE",
                    help="`validation` (default) or `train N`")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("overrides", nargs="*", help="key=value settings over the tiny-arena preset")
    args = ap.parse_args(argv)
    if args.out.exists():
        ap.error(f"--out {args.out} exists; give a new folder")
    overrides = list(args.overrides)
    if args.on == ["validation"]:
        tasks = validation_tasks(64)
    elif len(args.on) == 2 and args.on[0] == "train" and args.on[1].isdigit():
        tasks = fixed_train_tasks(int(args.on[1]))
        overrides = [f"tasks={','.join(tasks)}", *overrides]
    else:
        ap.error(f"--on {' '.join(args.on)!r}: valid: `validation` or `train N`")
    torch.set_num_threads(1)
    cfg = make_config(parse_overrides(overrides), rl_config(DemoConfig(out=args.out), args.algo, args.seed))
    res = train(cfg, eval_ids=tasks, evaluate_start=True)
    for line in (res.out / "metrics.jsonl").read_text().splitlines():
        rec = json.loads(line)
        shown = "  ".join(f"{k}={rec[k]:.3f}" for k in SHOWN if k in rec)
        print(f"phase {rec.get('phase')}: {shown}")
    print(res.out / "metrics.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
