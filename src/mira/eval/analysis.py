"""Failure analysis of a run: label every failed episode, optionally refined by an LLM, and Fig. 12's heatmap."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from mira.eval.detectors import LABELS, DetectorConfig, classify, off_track_step
from mira.eval.runs import Run, load_trajectories
from mira.types import LLM, Trajectory

log = logging.getLogger(__name__)


@dataclass
class EpisodeLabel:
    """The verdict on one failed episode."""

    task_id: str
    sample: int
    label: str
    evidence: list[str]
    off_track_step: int | None
    detectors: list[str] = field(default_factory=list)
    source: str = "detectors"
    """`detectors`, or `llm` when an LLM analyzer refined the label."""


@dataclass
class Analysis:
    """Everything `mira analyze` derives from one run."""

    run: Run
    trajectories: dict[tuple[str, int], Trajectory]
    labels: list[EpisodeLabel]
    skipped: int = 0
    """Failed episodes without a readable trajectory (not labelled)."""

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(LABELS, 0)
        for lab in self.labels:
            out[lab.label] += 1
        return out

    def failures_json(self) -> dict[str, Any]:
        return {"run": str(self.run.path), "counts": self.counts(), "skipped": self.skipped,
                "notes": list(self.run.notes), "episodes": [asdict(lab) for lab in self.labels]}


def analyze_run(run: Run, llm: LLM | None = None, cfg: DetectorConfig | None = None) -> Analysis:
    """Label the run's failed episodes (detectors, then the LLM when given)."""
    trajs = load_trajectories(run)
    references = {k[0]: t for k, t in trajs.items() if t.success}  # a successful sample of the same task
    labels, skipped = [], 0
    for rec in sorted(run.records, key=lambda r: (str(r["task_id"]), r["sample"])):
        if rec["success"]:
            continue
        traj = trajs.get((rec["task_id"], rec["sample"]))
        if traj is None:
            skipped += 1
            continue
        label, evidence, names = classify(traj, cfg)
        lab = EpisodeLabel(rec["task_id"], rec["sample"], label, evidence, off_track_step(traj, label), names)
        if llm is not None:
            refine(llm, traj, lab, references.get(rec["task_id"]))
        labels.append(lab)
    if skipped:
        run.notes.append(f"{skipped} failed episode(s) not labelled: no readable trajectory")
    return Analysis(run, trajs, labels, skipped)


ANALYZER_PROMPT = """You analyse a failed web-agent episode. Failure modes:
- stuck_midway: loops, repeated actions or pages, no milestone progress
- wrong_termination: stopped on the wrong page or with a wrong answer
- no_reasonable_attempt: gave up early, no meaningful action, unparseable replies
- others: anything else (environment errors, ...)
Task: {goal}
Milestones: {milestones}
Exit: {exit} after {n} steps; milestones reached {reached}/{total}.
Steps (index | url | action | milestones reached before | error):
{steps}
Rule-based detectors said: {label} ({evidence})
{reference}
Reply with JSON only: {{"label": one of the four modes, "off_track_step": the 0-based index of the step where the
episode went off track, "reason": one sentence}}"""


def analyzer_messages(traj: Trajectory, lab: EpisodeLabel, reference: Trajectory | None = None) -> list[dict[str, str]]:
    """The analyzer prompt; with a successful episode of the same task as the reference to compare against."""
    rows = [f"{i} | {s.url} | {s.action or '(unparsed) ' + s.reply[:80]} | {sum(bool(x) for x in s.progress)} | "
            f"{s.error[:80]}" for i, s in enumerate(traj.steps[:60])]
    prompt = ANALYZER_PROMPT.format(goal=traj.goal, milestones="; ".join(traj.milestones) or "none given",
                                    exit=traj.exit_reason, n=len(traj.steps), reached=sum(traj.progress),
                                    total=len(traj.progress), steps="\n".join(rows) or "(none)",
                                    label=lab.label, evidence="; ".join(lab.evidence), reference=_reference(reference))
    return [{"role": "user", "content": prompt}]


def _reference(ref: Trajectory | None) -> str:
    if ref is None:
        return "No successful episode of this task to compare with."
    acts = "\n".join(f"{i} | {s.url} | {s.action}" for i, s in enumerate(ref.steps[:60]))
    return f"A successful episode of the same task, for reference (index | url | action):\n{acts}"


def refine(llm: LLM, traj: Trajectory, lab: EpisodeLabel, reference: Trajectory | None = None) -> None:
    """Ask the LLM analyzer; keep the detectors' verdict when its reply is unusable (noted in the evidence)."""
    try:
        text = llm.complete(analyzer_messages(traj, lab, reference), temperature=0.0).text
    except Exception as e:  # a flaky analyzer must not lose the rule-based labels
        lab.evidence.append(f"LLM analyzer failed ({type(e).__name__}); detector label kept")
        return
    verdict = parse_verdict(text, len(traj.steps))
    if verdict is None:
        lab.evidence.append(f"LLM analyzer reply unusable ({text[:80]!r}); detector label kept")
        return
    label, step, reason = verdict
    if label != lab.label:
        lab.evidence.append(f"LLM analyzer relabelled {lab.label} -> {label}")
    lab.label, lab.source = label, "llm"
    lab.off_track_step = step if step is not None else lab.off_track_step
    if reason:
        lab.evidence.append(f"LLM: {reason}")


def parse_verdict(text: str, n_steps: int) -> tuple[str, int | None, str] | None:
    """(label, off_track_step, reason) from the analyzer's reply, or None if it holds no valid label."""
    m = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(m.group(0)) if m else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or data.get("label") not in LABELS:
        return None
    step = data.get("off_track_step")
    step = step if isinstance(step, int) and 0 <= step < max(n_steps, 1) else None
    return str(data["label"]), step, str(data.get("reason", ""))[:300]


def first_reached(traj: Trajectory) -> list[int | None]:
    """For each milestone, the number of actions after which it first held (None if never)."""
    out: list[int | None] = [None] * len(traj.progress)
    for i in range(len(traj.steps)):
        z = traj.steps[i + 1].progress if i + 1 < len(traj.steps) else traj.progress
        for k, hit in enumerate(z[: len(out)]):
            if hit and out[k] is None:
                out[k] = i + 1
    return out


def milestone_heatmap(trajs: list[Trajectory], max_steps: int | None = None) -> list[list[float | None]]:
    """Rows k = milestone index (1..K), columns t = step (1..T): the fraction of episodes that have reached
    milestone k after t actions, over the episodes that have at least k milestones (as the paper's Fig. 12)."""
    with_ms = [t for t in trajs if t.progress]
    if not with_ms:
        return []
    k_max = max(len(t.progress) for t in with_ms)
    t_max = max_steps or max((len(t.steps) for t in with_ms), default=1) or 1
    firsts = [first_reached(t) for t in with_ms]
    grid: list[list[float | None]] = []
    for k in range(k_max):
        eligible = [f for f in firsts if len(f) > k]
        row: list[float | None] = []
        for step in range(1, t_max + 1):
            hits = sum(1 for f in eligible if (f[k] or step + 1) <= step)
            row.append(round(hits / len(eligible), 4) if eligible else None)
        grid.append(row)
    return grid
