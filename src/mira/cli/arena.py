"""`mira arena serve` (browse the arena yourself) and `mira arena build-tasks` (rewrite the task file)."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from importlib import resources
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("arena", help="serve the embedded arena sites, or rebuild its task file")
    arena_sub = p.add_subparsers(dest="arena_command", required=True, metavar="ARENA_COMMAND")
    serve = arena_sub.add_parser("serve", help="serve the arena on a loopback port until Ctrl-C")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--login", action="store_true", help="print a URL per site that logs you in as the task account")
    serve.set_defaults(func=run_serve)
    build = arena_sub.add_parser("build-tasks", help="regenerate the arena's task file from its templates")
    build.add_argument("--out", type=Path, default=None, help="default: the package's data/tasks.json")
    build.set_defaults(func=run_build)


def run_serve(args: argparse.Namespace) -> int:
    from mira.arena.server import ArenaServer

    if not 0 <= args.port < 65536:
        raise ValueError(f"--port must be in 0..65535, got {args.port}")
    with ArenaServer(port=args.port) as server:
        print(f"arena serving at {server.base_url}/ (fresh state; Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def run_build(args: argparse.Namespace) -> int:
    from mira.arena.db import Database, template
    from mira.arena.tasks import generate_tasks

    tasks = generate_tasks(Database(template()))
    out = args.out or Path(str(resources.files("mira.arena").joinpath("data").joinpath("tasks.json")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tasks, indent=1, ensure_ascii=False) + "\n")
    splits = Counter(t["split"] for t in tasks)
    templates = len({t["intent_template_id"] for t in tasks})
    print(f"wrote {len(tasks)} tasks from {templates} templates to {out} (train {splits['train']}, test {splits['test']})")
    return 0
