"""Argument helpers shared by `run` and `eval`: one way to name an agent and its options."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from mira.agent import AGENTS


def add_agent_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", default=None, choices=sorted(AGENTS), help="who acts (default: replay with --actions, else plain)")
    p.add_argument("--llm", default=None, help="LLM spec for plain/sgo, e.g. openai:gpt-4o, smollm2, scripted:FILE")
    p.add_argument("--checker", default="llm", help="sgo milestone checker: llm, rule, none, or llm:SPEC")
    p.add_argument("--planner", default=None, help="sgo: LLM spec of the planner (default: the --llm model)")
    p.add_argument("--milestones", default=None, help="sgo: milestones file from `mira milestones --suite` (skips planning)")
    p.add_argument("--k-milestones", type=int, default=None, help="sgo: milestones the planner writes (default 4)")
    p.add_argument("--max-steps", type=int, default=30, help="steps before an episode is cut (default 30, as WebArena-Lite)")


def agent_kwargs(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The agent name and its constructor options, from parsed arguments."""
    actions = getattr(args, "actions", None)
    name = args.agent or ("replay" if actions else "plain")
    if name == "replay":
        if not actions:
            raise ValueError("--agent replay needs --actions FILE (one action a line)")
        if not Path(actions).is_file():
            raise FileNotFoundError(f"actions file not found: {actions}")
        return name, {"actions_file": actions}
    if name == "oracle":
        return name, {}
    if not args.llm:
        raise ValueError(f"--agent {name} needs --llm SPEC (e.g. smollm2, openai:MODEL, scripted:FILE)")
    kwargs: dict[str, Any] = {"llm": args.llm}
    if name == "sgo":
        kwargs["checker"] = args.checker
        extra = {"planner_llm": getattr(args, "planner", None), "milestones_file": getattr(args, "milestones", None),
                 "k_milestones": getattr(args, "k_milestones", None)}
        kwargs.update({k: v for k, v in extra.items() if v is not None})
    return name, kwargs


def default_run_dir(kind: str) -> Path:
    """A new folder under runs/ named by time and kind."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path("runs") / f"{stamp}-{kind}".replace("/", "_")
    path, i = base, 1
    while path.exists():
        i += 1
        path = base.with_name(f"{base.name}-{i}")
    return path
