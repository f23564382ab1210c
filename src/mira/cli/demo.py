"""`mira demo`: the most complete pipeline that runs here, on the embedded arena, end to end.

Until the trainer's demo lands (issue 6) this plays the paper's inference half: the oracle over held-out
arena tasks (the evaluator and milestones are exact), then the same long tasks with a real small model
(SmolLM2-135M-Instruct, CPU) as a `plain` agent and as the subgoal-oriented `sgo` agent with the rule
checker, then failure analysis, milestone heatmaps, a side-by-side comparison and the HTML report.
Each stage is a `mira` command, printed before it runs, so a user can rerun any of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mira.env import get_suite


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="run the main job on the embedded arena and write a report")
    p.add_argument("--out", type=Path, default=Path("runs/demo"), help="output folder (default runs/demo)")
    p.add_argument("--quick", action="store_true", help="fewer tasks and steps (a smoke test of a few minutes)")
    p.add_argument("--llm", default="smollm2", help="the model for the plain and sgo agents (default smollm2)")
    p.set_defaults(func=run)


def pick_tasks(n: int, min_steps: int = 0) -> list[str]:
    """Held-out tasks spread over templates (and so over sites), the longest-horizon kinds first when asked."""
    suite = get_suite("arena")
    seen: set[int] = set()
    picked: list[str] = []
    for tid in suite.task_ids("test"):
        cfg = suite.load_task(tid).config
        if cfg["intent_template_id"] in seen or len(cfg.get("milestones", [])) < min_steps:
            continue
        seen.add(cfg["intent_template_id"])
        picked.append(tid)
    stride = max(1, len(picked) // n)
    return picked[::stride][:n]


def run(args: argparse.Namespace) -> int:
    from mira.cli import main as mira

    out: Path = args.out
    n_oracle, n_llm, steps = (6, 2, 3) if args.quick else (12, 3, 5)
    oracle_tasks = ",".join(pick_tasks(n_oracle))
    llm_tasks = ",".join(pick_tasks(n_llm, min_steps=4))
    stages = [
        ("oracle on held-out arena tasks (real Chromium)",
         ["eval", "--suite", "arena", "--split", "test", "--tasks", oracle_tasks, "--agent", "oracle",
          "--workers", "2", "--out", str(out / "oracle"), "--no-progress"]),
        (f"plain agent, {args.llm}, on long held-out tasks",
         ["eval", "--suite", "arena", "--split", "test", "--tasks", llm_tasks, "--agent", "plain", "--llm", args.llm,
          "--max-steps", str(steps), "--out", str(out / "plain"), "--no-progress"]),
        (f"sgo agent (milestones + rule checker), {args.llm}, same tasks",
         ["eval", "--suite", "arena", "--split", "test", "--tasks", llm_tasks, "--agent", "sgo", "--llm", args.llm,
          "--checker", "rule", "--max-steps", str(steps), "--out", str(out / "sgo"), "--no-progress"]),
        ("failure analysis and report", ["analyze", str(out / "sgo"), "--compare", str(out / "plain")]),
        ("plain vs sgo side by side", ["compare", str(out / "plain"), str(out / "sgo")]),
    ]
    for i, (what, argv) in enumerate(stages, 1):
        print(f"\n== demo stage {i}/{len(stages)}: {what}\n$ mira {' '.join(argv)}", flush=True)
        code = mira(argv)
        if code != 0:
            print(f"demo stage {i} failed (exit {code})")
            return code
    print(f"\nreport: {out / 'sgo' / 'analysis' / 'report.html'}")
    print("(the trainer's demo, SFT -> WebRL vs MiRA on the arena, is issue 6 and replaces this pipeline when it lands)")
    return 0
