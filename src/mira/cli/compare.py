"""`mira compare DIR1 DIR2 ...`: runs side by side per site and per task, with the difference."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mira.eval.compare import compare_runs, format_comparison
from mira.eval.runs import load_run


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("compare", help="compare run folders side by side, per site and per task")
    p.add_argument("run_dirs", type=Path, nargs="+", metavar="DIR", help="two or more run folders of `mira eval`")
    p.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the comparison as JSON here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if len(args.run_dirs) < 2:
        raise ValueError("give at least two run folders to compare")
    cmp = compare_runs([load_run(d) for d in args.run_dirs])
    print(format_comparison(cmp))
    if args.json:
        args.json.write_text(json.dumps(cmp, indent=2))
        print(f"json: {args.json}")
    return 0
