"""report.html: one self-contained page (inline CSS and SVG, images as data URIs, no script, no URLs).

The summary, the failure modes (table and chart), the milestone heatmap(s), and every episode step by
step: its screenshot when recorded, the observation (collapsible), the model's reply, the action, the
plan and z at that step, with the failure label and evidence. Numbers carry `data-key`/`data-value`
attributes so tests (and scripts) can check them against summary.json.
"""

from __future__ import annotations

import base64
import mimetypes
from html import escape
from pathlib import Path
from typing import Any

from mira.eval.analysis import Analysis, EpisodeLabel, milestone_heatmap
from mira.eval.charts import bar_chart, heatmap
from mira.eval.detectors import LABELS
from mira.eval.summary import pct, summarize
from mira.rollout import write_json_atomic
from mira.types import Step, Trajectory

TEXT_LIMIT = 2000
"""Characters of an observation or reply shown per step (the trajectory JSON has the rest); keeps a
1,000-episode report around 40 MB."""

CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff4e5;border-left:4px solid #f0a030;padding:4px 8px;margin:4px 0}
.ok{color:#1a7f37}.fail{color:#c62828}.label{font-weight:600}
details.ep{border:1px solid #ddd;margin:6px 0;padding:4px 8px;border-radius:4px}
details.ep>summary{cursor:pointer}
.step{border-top:1px dashed #ccc;padding:6px 0}.step.off{background:#fff0f0}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:6px;max-height:320px;overflow:auto;margin:4px 0}
img.shot{max-width:min(100%,760px);border:1px solid #ccc}
.charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
svg .title{font-size:14px;font-weight:600}svg .val,svg .axis,svg .legend{font-size:11px}svg .cat{font-size:12px}
"""


def _num(key: str, value: Any, text: str, run: str = "") -> str:
    return f'<td class="num" data-run="{escape(run)}" data-key="{escape(key)}" data-value="{escape(str(value))}">{escape(text)}</td>'


def summary_table(summary: dict[str, Any], run: str) -> str:
    rows = [("episodes", "n", summary["n"], str(summary["n"])),
            ("success rate", "success_rate", summary["success_rate"], pct(summary["success_rate"]) + "%"),
            ("avg steps", "avg_steps", summary["avg_steps"], f"{summary['avg_steps']:g}"),
            ("milestones reached", "milestones_reached", summary["milestones_reached"],
             pct(summary["milestones_reached"]) + ("%" if summary["milestones_reached"] is not None else "")),
            ("tokens", "tokens", summary["tokens"], f"{summary['tokens']:,}"),
            ("cost", "cost", summary["cost"], f"${summary['cost']:.4f}")]
    rows += [(f"pass@{k}", f"pass_at_k.{k}", v, pct(v) + "%") for k, v in summary.get("pass_at_k", {}).items()]
    body = "".join(f"<tr><th>{escape(name)}</th>{_num(key, v, text, run)}</tr>" for name, key, v, text in rows)
    sites = "".join(f"<tr><th>{escape(site)}</th>{_num('by_site.' + site, '' if r is None else r, pct(r), run)}</tr>"
                    for site, r in summary["by_site"].items())
    return (f'<div class="charts"><table class="summary"><caption>{escape(run)}</caption>{body}</table>'
            f'<table class="sites"><tr><th>site</th><th>success %</th></tr>{sites}</table></div>')


def failure_section(analyses: list[Analysis]) -> str:
    names = [a.run.name for a in analyses]
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    rows = "".join(f"<tr><th>{escape(lab)}</th>" + "".join(
        _num(f"failures.{lab}", a.counts()[lab], f"{a.counts()[lab]} ({_share(a, lab)})", a.run.name) for a in analyses)
        + "</tr>" for lab in LABELS)
    chart = bar_chart(list(LABELS), {a.run.name: [float(a.counts()[lab]) for lab in LABELS] for a in analyses},
                      "Failure modes (failed episodes)")
    return f'<table class="failures"><tr><th>failure mode</th>{head}</tr>{rows}</table>{chart}'


def _share(a: Analysis, lab: str) -> str:
    total = sum(a.counts().values())
    return f"{100 * a.counts()[lab] / total:.0f}%" if total else "-"


def heatmap_section(analyses: list[Analysis]) -> str:
    t_max = max((len(t.steps) for a in analyses for t in a.trajectories.values()), default=1)
    maps = [heatmap(milestone_heatmap(list(a.trajectories.values()), t_max or 1),
                    f"Milestone completion by step: {a.run.name}") for a in analyses]
    return '<div class="charts">' + "".join(maps) + "</div>"


def image_src(shot: Any, run_dir: Path) -> str | None:
    """A data URI for a screenshot given as a data URI, a file path (absolute or relative to the run) or base64."""
    if not isinstance(shot, str) or not shot:
        return None
    if shot.startswith("data:image/"):
        return shot
    for cand in (Path(shot), run_dir / shot, run_dir / "trajectories" / shot):
        try:
            if len(shot) < 4096 and cand.is_file():
                mime = mimetypes.guess_type(cand.name)[0] or "image/png"
                return f"data:{mime};base64,{base64.b64encode(cand.read_bytes()).decode()}"
        except OSError:
            continue
    if len(shot) > 64 and all(c.isalnum() or c in "+/=\n" for c in shot[:200]):
        return f"data:image/png;base64,{shot.strip()}"
    return None


def _clip(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return escape(text)
    return escape(text[:TEXT_LIMIT]) + f"\n… ({len(text) - TEXT_LIMIT:,} more characters in the trajectory file)"


def step_html(i: int, step: Step, run_dir: Path, off: bool) -> str:
    z = "".join("■" if x else "□" for x in step.progress) or "-"
    parts = [f'<div class="step{" off" if off else ""}" id="s{i}"><b>step {i}</b>{" ← off track" if off else ""} · '
             f'<code>{escape(step.action or "(unparsed)")}</code> · z {z} · {escape(step.url)}']
    if step.error:
        parts.append(f'<div class="fail">error: {escape(step.error[:500])}</div>')
    if step.plan:
        parts.append("<div>plan: " + " → ".join(
            f'<span class="{"ok" if j < len(step.progress) and step.progress[j] else ""}">{escape(p)}</span>'
            for j, p in enumerate(step.plan)) + "</div>")
    src = image_src(step.info.get("screenshot"), run_dir)
    if src:
        parts.append(f'<img class="shot" alt="screenshot before step {i}" src="{src}">')
    if step.reply:
        parts.append(f"<div>reply:</div><pre>{_clip(step.reply)}</pre>")
    if step.reflection:
        parts.append(f"<div>reflection:</div><pre>{_clip(step.reflection)}</pre>")
    if step.observation:
        parts.append(f"<details><summary>observation ({len(step.observation):,} chars)</summary>"
                     f"<pre>{_clip(step.observation)}</pre></details>")
    return "".join(parts) + "</div>"


def episode_html(rec: dict[str, Any], traj: Trajectory | None, lab: EpisodeLabel | None, run_dir: Path) -> str:
    ok = rec["success"]
    verdict = '<span class="ok">success</span>' if ok else '<span class="fail">failure</span>'
    tag = f' · <span class="label" data-label="{lab.label}">{lab.label}</span>' if lab else ""
    head = (f'<details class="ep" data-task="{escape(rec["task_id"])}" data-sample="{rec["sample"]}"><summary>'
            f'{escape(rec["task_id"])} #{rec["sample"]} · {verdict}{tag} · {rec.get("steps", "?")} steps · '
            f'exit {escape(str(rec.get("exit_reason", "")))}</summary>')
    if traj is None:
        return head + "<p>no readable trajectory for this episode</p></details>"
    body = [f"<p><b>goal:</b> {escape(traj.goal)}</p>"]
    if traj.milestones:
        body.append("<p><b>milestones:</b> " + " → ".join(escape(m) for m in traj.milestones) + "</p>")
    if traj.answer:
        body.append(f"<p><b>answer:</b> {escape(traj.answer)}</p>")
    if lab:
        body.append(f"<p><b>{lab.label}</b> (by {lab.source}; off track at step {lab.off_track_step}):</p><ul>"
                    + "".join(f"<li>{escape(e)}</li>" for e in lab.evidence) + "</ul>")
    off = lab.off_track_step if lab else None
    body += [step_html(i, s, run_dir, i == off) for i, s in enumerate(traj.steps)]
    return head + "".join(body) + "</details>"


def render_report(main: Analysis, others: list[Analysis] | None = None) -> str:
    """The whole page for `main` (and `others` side by side in the summary and charts)."""
    runs = [main, *(others or [])]
    summaries = [(a.run.name, summarize(a.run.records)) for a in runs]
    notes = "".join(f'<div class="note">{escape(a.run.name)}: {escape(n)}</div>' for a in runs for n in a.run.notes)
    labels = {(lab.task_id, lab.sample): lab for lab in main.labels}
    records = sorted(main.run.records, key=lambda r: (str(r["task_id"]), r["sample"]))
    episodes = "".join(episode_html(r, main.trajectories.get((r["task_id"], r["sample"])),
                                    labels.get((r["task_id"], r["sample"])), main.run.path) for r in records)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>mira report: {escape(main.run.name)}'
            f"</title><style>{CSS}</style></head><body><h1>mira evaluation report: {escape(str(main.run.path))}</h1>"
            f"{notes}<h2>Summary</h2>" + "".join(summary_table(s, name) for name, s in summaries)
            + f"<h2>Failure modes</h2>{failure_section(runs)}"
            + f"<h2>Milestone completion (fraction of episodes that reached milestone k by step t)</h2>"
            f"{heatmap_section(runs)}<h2>Episodes ({len(records)})</h2>{episodes}</body></html>")


def write_analysis(main: Analysis, others: list[Analysis] | None = None) -> dict[str, Path]:
    """Write failures.json, the SVG charts and report.html under RUN/analysis/ (nothing else is touched)."""
    out = main.run.path / "analysis"
    out.mkdir(exist_ok=True)
    runs = [main, *(others or [])]
    paths = {"failures": out / "failures.json", "failure_chart": out / "failures.svg",
             "heatmap": out / "heatmap.svg", "report": out / "report.html"}
    write_json_atomic(paths["failures"], main.failures_json())
    _write_text(paths["failure_chart"], bar_chart(list(LABELS), {a.run.name: [float(a.counts()[lab]) for lab in LABELS]
                                                                 for a in runs}, "Failure modes (failed episodes)"))
    t_max = max((len(t.steps) for a in runs for t in a.trajectories.values()), default=1) or 1
    for i, a in enumerate(runs):
        key = "heatmap" if i == 0 else f"heatmap_{i}"
        paths[key] = out / ("heatmap.svg" if i == 0 else f"heatmap_compare_{i}.svg")
        _write_text(paths[key], heatmap(milestone_heatmap(list(a.trajectories.values()), t_max),
                                        f"Milestone completion by step: {a.run.name}"))
    _write_text(paths["report"], render_report(main, others))
    return paths


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
