"""Benchmark the evaluation harness and the failure analysis.

1. Episodes per minute at 1, 2 and 4 workers (default: the arena with its oracle), and the harness's
   own overhead per episode: (run wall time - the episodes' own wall time) / episodes, at 1 worker.
2. `analyze` (detectors + charts + report.html) over 1,000 synthetic trajectories in a temp folder.

    .venv/bin/python benchmarks/bench_eval.py                       # arena + oracle
    .venv/bin/python benchmarks/bench_eval.py --suite miniwob --agent replay --actions FILE --tasks click-test
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mira.env import SUITES, get_suite
from mira.eval.analysis import analyze_run
from mira.eval.harness import run_eval
from mira.eval.report import write_analysis
from mira.eval.runs import load_run
from mira.eval.worker import EvalConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "eval"))


def _file_arena_suite() -> type:
    """The arena reading its tasks from $BENCH_ARENA_TASKS (a `mira arena build-tasks --out` file), for trees
    where the package's data/tasks.json is not built yet."""
    import os
    from functools import cached_property

    from mira.arena.suite import ArenaSuite

    class FileArenaSuite(ArenaSuite):
        @cached_property
        def _tasks(self) -> dict[str, dict]:  # type: ignore[override]
            tasks = json.loads(Path(os.environ["BENCH_ARENA_TASKS"]).read_text())
            return {str(t["task_id"]): t for t in tasks}

    return FileArenaSuite


def __getattr__(name: str) -> type:  # `bench_eval:FileArenaSuite`, imported by the spawned workers
    if name == "FileArenaSuite":
        return _file_arena_suite()
    raise AttributeError(name)


def bench_harness(args: argparse.Namespace, workers: int, tmp: Path) -> dict[str, float]:
    suite = get_suite(args.suite)
    tasks = args.tasks.split(",") if args.tasks else suite.task_ids(args.split)[: args.n_tasks]
    kwargs = {"actions_file": str(Path(args.actions).resolve())} if args.actions else {}
    cfg = EvalConfig(suite=args.suite, tasks=tuple(tasks), out=tmp / f"w{workers}", agent=args.agent,
                     agent_kwargs=kwargs, samples=args.samples, workers=workers, max_steps=args.max_steps,
                     env_options=json.loads(args.env_options), suite_path=SUITES[args.suite])
    t0, t0_unix = time.perf_counter(), time.time()
    summary = run_eval(cfg, progress=False)
    wall = time.perf_counter() - t0
    recs = sorted((json.loads(x) for x in (cfg.out / "results.jsonl").read_text().splitlines()),
                  key=lambda r: r["finished_at"])
    ep = [r["wall_s"] for r in recs]
    inner = [r["episode_s"] for r in recs]
    row = {"workers": workers, "episodes": len(recs), "success_rate": summary["success_rate"], "wall_s": round(wall, 2),
           "episodes_per_min": round(60 * len(recs) / wall, 2),
           "episode_wall_s_median": round(statistics.median(ep), 3),
           "env_setup_teardown_s_median": round(statistics.median(a - b for a, b in zip(ep, inner, strict=True)), 3)}
    if workers == 1 and len(recs) > 1:
        # steady state: the time between consecutive episodes' ends, minus the episode's own time in the worker
        gaps = [b["finished_at"] - a["finished_at"] - b["wall_s"] for a, b in zip(recs, recs[1:], strict=False)]
        overhead = statistics.median(gaps)
        row |= {"worker_startup_s": round(recs[0]["finished_at"] - t0_unix - recs[0]["wall_s"], 3),
                "harness_overhead_s_per_episode": round(overhead, 4),
                "harness_overhead_pct": round(100 * overhead / statistics.median(ep), 2)}
    return row


def bench_analyze(n: int, tmp: Path) -> dict[str, float]:
    from synth import write_run  # tests/eval/synth.py: synthetic trajectories of every failure shape

    run_dir = tmp / "synthetic"
    write_run(run_dir, n, seed=0, obs_chars=3000)
    t0 = time.perf_counter()
    analysis = analyze_run(load_run(run_dir))
    paths = write_analysis(analysis)
    wall = time.perf_counter() - t0
    return {"episodes": n, "failed_labelled": len(analysis.labels), "analyze_s": round(wall, 2),
            "report_mb": round(paths["report"].stat().st_size / 1e6, 2), **analysis.counts()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suite", default="arena")
    p.add_argument("--split", default="test")
    p.add_argument("--agent", default="oracle")
    p.add_argument("--actions", default=None, help="actions file for --agent replay")
    p.add_argument("--tasks", default=None, help="comma-separated ids (default: the first --n-tasks of the split)")
    p.add_argument("--n-tasks", type=int, default=12)
    p.add_argument("--samples", type=int, default=1)
    p.add_argument("--max-steps", type=int, default=30)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--env-options", default="{}", help='JSON options for make_env, e.g. \'{"browserless": true}\'')
    p.add_argument("--analyze-episodes", type=int, default=1000)
    p.add_argument("--skip-harness", action="store_true")
    p.add_argument("--arena-tasks", default=None, help="arena tasks file from `mira arena build-tasks --out FILE`")
    args = p.parse_args()
    if args.arena_tasks:
        import os

        os.environ["BENCH_ARENA_TASKS"] = str(Path(args.arena_tasks).resolve())
        SUITES[args.suite] = "bench_eval:FileArenaSuite"
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench_eval_") as d:
        tmp = Path(d)
        if not args.skip_harness:
            results["harness"] = [bench_harness(args, int(w), tmp) for w in args.workers.split(",")]
            for row in results["harness"]:  # type: ignore[attr-defined]
                print(json.dumps(row), flush=True)
        results["analyze"] = bench_analyze(args.analyze_episodes, tmp)
        print(json.dumps(results["analyze"]), flush=True)


if __name__ == "__main__":
    main()
