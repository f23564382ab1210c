"""`mira milestones --suite S --llm SPEC [--out FILE]`: a teacher LLM writes (cached) milestones for
every task of a suite. `mira milestones --run DIR`: how well milestone completion predicts success."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mira.env import get_suite


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("milestones", help="write milestones for a suite's tasks, or score a run's milestone completion")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--suite", help="write milestones for every task of this suite (needs --llm)")
    what.add_argument("--run", type=Path, help="a finished run folder: AUROC/Kendall tau of completion vs success")
    p.add_argument("--llm", help="the teacher LLM spec, e.g. openai:gpt-4o, smollm2, scripted:FILE")
    p.add_argument("--split", default=None, help="only this split of the suite")
    p.add_argument("--k", type=int, default=4, help="milestones per task (default 4)")
    p.add_argument("--out", type=Path, default=None, help="output JSON (default runs/milestones/SUITE.json)")
    p.add_argument("--cache", type=Path, default=None, help="cache folder (default $MIRA_CACHE/milestones)")
    p.add_argument("--source", choices=("agent", "gt"), default="agent",
                   help="with --run: z from the agent's checker (last step) or the env's ground truth")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.run is not None:
        return _score(args)
    return _write(args)


def _write(args: argparse.Namespace) -> int:
    from mira.agent.milestones import MilestoneWriter, write_suite
    from mira.llm import make_llm

    if not args.llm:
        raise ValueError("--suite needs --llm SPEC (the teacher model)")
    if not 1 <= args.k <= 12:
        raise ValueError(f"--k must be between 1 and 12, got {args.k}")
    suite = get_suite(args.suite)
    if args.split is not None and args.split not in suite.splits:
        raise ValueError(f"suite {args.suite!r} has no split {args.split!r}; valid splits: {', '.join(suite.splits)}")
    tasks = [suite.load_task(t) for t in suite.task_ids(args.split)]
    writer = MilestoneWriter(make_llm(args.llm), k=args.k, cache_dir=args.cache)
    out = args.out or Path("runs") / "milestones" / f"{args.suite}.json"
    result = write_suite(tasks, writer, out, progress=lambda i, n: print(f"\r{i}/{n}", end="", file=sys.stderr))
    print(file=sys.stderr)
    empty = sum(1 for t in tasks if not result.get(t.id))
    print(f"milestones: {out} ({len(tasks)} tasks, {writer.misses} written, {writer.hits} from cache, "
          f"{empty} malformed)")
    return 0


def _score(args: argparse.Namespace) -> int:
    from mira.agent.milestones_eval import evaluate_run

    if not args.run.is_dir():
        raise FileNotFoundError(f"run folder not found: {args.run}")
    res = evaluate_run(args.run, args.source)
    print(json.dumps(res, indent=2))
    return 0
