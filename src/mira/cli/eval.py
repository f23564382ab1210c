"""`mira eval --suite S [--split test] [--tasks IDS] --agent A [--llm SPEC] [--workers N] [--samples K] [--out DIR]`.

Resumable: the same command again skips the episodes already in DIR/results.jsonl. The default DIR
is named after the suite, split and agent (not the time), so that re-running the command resumes.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from mira.cli.common import add_agent_args, agent_kwargs
from mira.env import SUITES, get_suite
from mira.eval.harness import run_eval
from mira.eval.summary import format_table
from mira.eval.worker import EvalConfig


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="run a suite's tasks (parallel, resumable) and summarise success")
    p.add_argument("--suite", required=True)
    p.add_argument("--split", default=None, help="a split of the suite (e.g. test); all tasks if omitted")
    p.add_argument("--tasks", default=None, help="comma-separated task ids (default: every task of the split)")
    p.add_argument("--actions", default=None, help="with --agent replay: the actions file, one action a line")
    add_agent_args(p)
    p.add_argument("--workers", type=int, default=1, help="episodes played at once, one process each (default 1)")
    p.add_argument("--samples", type=int, default=1, help="episodes per task, for Pass@k (default 1)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds before a hung episode is killed (default 600)")
    p.add_argument("--screenshots", action="store_true", help="record a screenshot with every observation")
    p.add_argument("--env-option", action="append", default=[], metavar="KEY=VALUE",
                   help="an env option for make_env (repeatable; VALUE read as JSON if it parses), e.g. browserless=true")
    p.add_argument("--force", action="store_true", help="resume DIR even though its run.json has other settings")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--out", type=Path, default=None, help="run folder (default: runs/eval/SUITE-SPLIT-AGENT)")
    p.set_defaults(func=run)


def resolve_tasks(suite_name: str, split: str | None, tasks: str | None) -> list[str]:
    """The task ids to run: the given ones (checked) or the split's; ValueError/KeyError naming what is valid."""
    suite = get_suite(suite_name)
    if split is not None and split not in suite.splits:
        raise ValueError(f"suite {suite_name!r} has no split {split!r}; valid splits: {', '.join(suite.splits)}")
    if not tasks:
        return list(suite.task_ids(split))
    ids = [t.strip() for t in tasks.split(",") if t.strip()]
    known = set(suite.task_ids(split))
    unknown = [t for t in ids if t not in known]
    if unknown:
        example = ", ".join(sorted(known)[:5])
        raise ValueError(f"unknown task id(s) in suite {suite_name!r}{f' split {split!r}' if split else ''}: "
                         f"{', '.join(unknown)}; see `mira tasks --suite {suite_name}` (e.g. {example})")
    return list(dict.fromkeys(ids))


def env_options(args: argparse.Namespace) -> dict[str, Any]:
    """--screenshots and --env-option KEY=VALUE pairs as make_env keyword options."""
    opts: dict[str, Any] = {"screenshots": True} if args.screenshots else {}
    for item in args.env_option:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--env-option takes KEY=VALUE (e.g. browserless=true), got {item!r}")
        try:
            opts[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            opts[key.strip()] = value
    return opts


def default_out(args: argparse.Namespace, agent: str) -> Path:
    parts = [args.suite, args.split or "all", agent] + ([args.llm] if args.llm else [])
    return Path("runs") / "eval" / re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts))


def run(args: argparse.Namespace) -> int:
    name, kwargs = agent_kwargs(args)
    if "actions_file" in kwargs:  # workers run elsewhere in the tree: record the file absolutely
        kwargs["actions_file"] = str(Path(kwargs["actions_file"]).resolve())
    suite = get_suite(args.suite)
    avail = suite.availability()
    if not avail.ok:
        raise RuntimeError(f"suite {args.suite!r} cannot run here: {avail.reason}")
    tasks = resolve_tasks(args.suite, args.split, args.tasks)
    out = args.out or default_out(args, name)
    cfg = EvalConfig(suite=args.suite, tasks=tuple(tasks), out=out, agent=name, agent_kwargs=kwargs,
                     split=args.split, samples=args.samples, max_steps=args.max_steps, workers=args.workers,
                     timeout_s=args.timeout, env_options=env_options(args),
                     suite_path=SUITES[args.suite])
    summary = run_eval(cfg, force=args.force, progress=not args.no_progress)
    print(format_table(summary, title=f"{args.suite} / {name}: {out}"))
    print(f"results: {out / 'results.jsonl'}\nsummary: {out / 'summary.json'}")
    if args.verbose:
        print(json.dumps(summary, indent=2))
    return 0
