"""`mira demo`: the paper's central claim on a laptop CPU, on the embedded arena.

From the shipped starting checkpoint (a tiny LM after SFT on the oracle's demonstrations; `make demo` rebuilds it
with `mira train --preset tiny-arena-sft` when it is absent), WebRL (sparse reward) and MiRA (milestone-shaped
reward) run the same RL phases, rollouts and seeds; the base model, the start, WebRL and MiRA are evaluated on the
arena's held-out test tasks. Prints the table in the paper's shape, failure modes and learning curves, and writes
results.json and the HTML report (failure modes, milestone heatmaps, every episode).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from mira.train.demo import START, DemoConfig

QUICK: dict[str, Any] = {"seeds": (0,), "test_tasks": 12, "phases": 1, "rollouts_per_phase": 8}
"""`--quick`: a smoke test of the whole pipeline in about 3 minutes (one seed, one short phase)."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="SFT start -> WebRL vs MiRA on the arena (CPU), evaluated on held-out tasks")
    p.add_argument("--out", type=Path, default=Path("runs/demo"), help="output folder (default runs/demo)")
    p.add_argument("--quick", action="store_true", help="one seed, one short phase, 12 tasks (~3 min smoke test)")
    p.add_argument("--seeds", type=int, default=3, help="RL seeds (default 3)")
    p.add_argument("--test-tasks", type=int, default=DemoConfig.test_tasks,
                   help=f"held-out tasks evaluated, spread over the test split's templates (0: all; default {DemoConfig.test_tasks})")
    p.add_argument("--start", type=Path, default=START, help="starting checkpoint folder (default: the shipped one)")
    p.add_argument("--workers", type=int, default=2, help="jobs at a time (default 2: one per core)")
    p.set_defaults(func=run)


def config(args: argparse.Namespace) -> DemoConfig:
    if args.seeds < 1 or args.workers < 1 or args.test_tasks < 0:
        raise ValueError("--seeds and --workers must be at least 1, --test-tasks at least 0")
    cfg = DemoConfig(out=args.out, start=args.start, seeds=tuple(range(args.seeds)), test_tasks=args.test_tasks,
                     workers=args.workers)
    return dataclasses.replace(cfg, **QUICK) if args.quick else cfg


def run(args: argparse.Namespace) -> int:
    from mira.train.demo_report import run_demo

    cfg = config(args)
    results, path, report, text = run_demo(cfg, say=lambda msg: print(msg, flush=True))
    print(f"\nheld-out success (%), mean +- std over {len(cfg.seeds)} seed(s):\n{text}")
    if report:
        print(f"\nreport: {report}")
    print(f"results: {path}  ({results['wall_s']:.0f} s)")
    return 0
