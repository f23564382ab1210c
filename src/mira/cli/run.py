"""`mira run --suite S --task T (--actions FILE | --agent NAME --llm SPEC)`: one episode, trajectory saved."""

from __future__ import annotations

import argparse
from pathlib import Path

from mira.agent import make_agent
from mira.cli.common import add_agent_args, agent_kwargs, default_run_dir
from mira.env import make_env
from mira.rollout import run_episode


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="play one episode and save its trajectory")
    p.add_argument("--suite", required=True)
    p.add_argument("--task", required=True, help="task id within the suite (see `mira tasks`)")
    p.add_argument("--actions", default=None, help="replay these actions, one a line")
    add_agent_args(p)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--screenshots", action="store_true", help="record a screenshot with every observation")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a new folder under runs/)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    name, kwargs = agent_kwargs(args)
    agent = make_agent(name, **kwargs)
    out = args.out or default_run_dir(f"{args.suite}-{args.task}")
    env_opts = {"screenshots": True} if args.screenshots else {}
    with make_env(f"{args.suite}/{args.task}", **env_opts) as env:
        traj = run_episode(env, agent, max_steps=args.max_steps, seed=args.seed, out=out / "trajectory.json")
    print(f"trajectory: {out / 'trajectory.json'}")
    outcome = "success" if traj.success else "failure"
    print(f"outcome: {outcome} (reward {traj.reward:g}, {len(traj.steps)} steps, exit {traj.exit_reason})")
    return 0
