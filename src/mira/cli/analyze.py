"""`mira analyze DIR [--llm SPEC] [--compare DIR2]`: failure modes, milestone heatmap, report.html.

Reads the run folder only; writes only under DIR/analysis/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mira.eval.analysis import Analysis, analyze_run
from mira.eval.detectors import LABELS
from mira.eval.report import write_analysis
from mira.eval.runs import load_run
from mira.types import LLM


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("analyze", help="label failed episodes by failure mode and write an HTML report")
    p.add_argument("run_dir", type=Path, metavar="DIR", help="a run folder written by `mira eval`")
    p.add_argument("--llm", default=None, help="refine labels with this LLM analyzer (e.g. openai:gpt-4o)")
    p.add_argument("--compare", type=Path, default=None, metavar="DIR2", help="a second run shown side by side")
    p.set_defaults(func=run)


def _llm(spec: str | None) -> LLM | None:
    if not spec:
        return None
    from mira.llm import make_llm  # imported only when asked: backends are heavy

    llm: LLM = make_llm(spec)
    return llm


def print_counts(analyses: list[Analysis]) -> None:
    names = [a.run.name for a in analyses]
    width = max([len(n) for n in names] + [10])
    print(f"{'failure mode':<22}" + "".join(f"{n:>{width + 2}}" for n in names))
    for lab in LABELS:
        print(f"{lab:<22}" + "".join(f"{a.counts()[lab]:>{width + 2}}" for a in analyses))
    print(f"{'(failed, labelled)':<22}" + "".join(f"{len(a.labels):>{width + 2}}" for a in analyses))


def run(args: argparse.Namespace) -> int:
    llm = _llm(args.llm)
    main = analyze_run(load_run(args.run_dir), llm)
    others = [analyze_run(load_run(args.compare), llm)] if args.compare else []
    for a in [main, *others]:
        for note in a.run.notes:
            print(f"note: {a.run.name}: {note}")
    suites = [", ".join(a.run.suites) or "?" for a in [main, *others]]
    if len(set(suites)) > 1:
        print(f"note: the runs are on different suites ({' vs '.join(suites)}); compare their charts with care")
    print_counts([main, *others])
    paths = write_analysis(main, others)
    for key in ("failures", "failure_chart", "heatmap", "report"):
        print(f"{key}: {paths[key]}")
    return 0
