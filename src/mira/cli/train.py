"""`mira train --config FILE|PRESET [--algo NAME] [key=value ...]`: SFT and RL phases (resumes a run folder)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("train", help="SFT and RL phases (sft, filtered-bc, awr, webrl, mira)",
                       description="Train a policy. Presets: tiny-arena-sft, tiny-arena, smollm2-arena, "
                                   "gemma3-12b-webarena-lite (configs/). Overrides: key=value, e.g. phases=3 lr=1e-4.")
    p.add_argument("--config", "--preset", dest="config", required=True, help="a YAML file or a preset name")
    p.add_argument("--algo", default=None, help="sft, filtered-bc, awr, webrl or mira (overrides the config's)")
    p.add_argument("--out", default=None, help="run folder (overrides the config's `out`)")
    p.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mira.train.config import load_config
    from mira.train.loop import train

    extra = [f"algo={args.algo}"] if args.algo else []
    extra += [f"out={args.out}"] if args.out else []
    cfg = load_config(args.config, [*args.overrides, *extra])
    res = train(cfg)
    print(f"run folder: {res.out} (phases done: {res.phases_done}; metrics: {res.out / 'metrics.jsonl'})")
    if res.stopped:
        print(f"stopped: {res.stopped}")
        return 1
    return 0
