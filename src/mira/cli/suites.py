"""`mira suites`: each suite, its task count, and whether it can run here."""

from __future__ import annotations

import argparse

from mira.env import SUITES, get_suite


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("suites", help="list suites, their task counts and whether they run here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(f"{'suite':<15}{'tasks':>7}  runs here")
    for name in SUITES:
        try:
            suite = get_suite(name)
            n = str(len(suite.task_ids()))
            avail = suite.availability()
            status = "yes" if avail.ok else f"no: {avail.reason}"
        except Exception as e:  # a suite whose package is missing still gets a line
            n, status = "-", f"no: {type(e).__name__}: {e}"
        print(f"{name:<15}{n:>7}  {status}")
    return 0
