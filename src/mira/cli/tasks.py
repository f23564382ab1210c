"""`mira tasks --suite S [--split SPLIT]`: one task id a line."""

from __future__ import annotations

import argparse

from mira.env import get_suite


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("tasks", help="list a suite's task ids, one a line")
    p.add_argument("--suite", required=True)
    p.add_argument("--split", default=None, help="a split of the suite (e.g. train, test); all tasks if omitted")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    suite = get_suite(args.suite)
    if args.split is not None and args.split not in suite.splits:
        raise ValueError(f"suite {args.suite!r} has no split {args.split!r}; valid splits: {', '.join(suite.splits)}")
    for task_id in suite.task_ids(args.split):
        print(task_id)
    return 0
