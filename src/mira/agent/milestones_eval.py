"""How well milestone completion predicts success on a finished run: AUROC, Kendall's tau-b, and the
precision/recall of an llm checker against the ground truth (Step.info['gt_progress'])."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mira.types import Trajectory

log = logging.getLogger(__name__)


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """P(score of a random positive > score of a random negative), ties counting one half (Mann-Whitney U)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        raise ValueError(f"AUROC needs both outcomes; got {len(pos)} successes and {len(neg)} failures")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b (ties corrected, as scipy's default); nan when either side is constant."""
    if len(x) != len(y):
        raise ValueError(f"kendall_tau: lengths differ ({len(x)} vs {len(y)})")
    concordant = discordant = ties_x = ties_y = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denom = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return (concordant - discordant) / denom if denom else math.nan


def completion(traj: Trajectory, source: str = "agent") -> float | None:
    """Fraction of milestones reached: `agent` = z at the last step (the checker's), `gt` = the env's final z."""
    if source == "gt":
        z = traj.progress
    elif source == "agent":
        z = next((s.progress for s in reversed(traj.steps) if s.progress), [])
    else:
        raise ValueError(f"completion source must be agent or gt, got {source!r}")
    return sum(map(bool, z)) / len(z) if z else None


@dataclass(frozen=True)
class CheckerAgreement:
    """The llm checker's z against the ground truth, over every (step, milestone) pair where both exist."""

    pairs: int
    precision: float
    recall: float


def checker_agreement(trajs: list[Trajectory]) -> CheckerAgreement | None:
    tp = fp = fn = pairs = 0
    for t in trajs:
        if t.info.get("sgo", {}).get("checker") != "llm":
            continue
        for s in t.steps:
            gt = s.info.get("gt_progress")
            if not gt or len(gt) != len(s.progress):
                continue
            for pred, true in zip(s.progress, gt, strict=True):
                pairs += 1
                tp += pred and true
                fp += pred and not true
                fn += true and not pred
    if not pairs:
        return None
    return CheckerAgreement(pairs, tp / (tp + fp) if tp + fp else math.nan, tp / (tp + fn) if tp + fn else math.nan)


def load_run(run_dir: Path) -> list[Trajectory]:
    """Every trajectory JSON under run_dir (recursively); other JSON files are skipped."""
    trajs = []
    for path in sorted(Path(run_dir).rglob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "task_id" in data and "steps" in data:
            trajs.append(Trajectory.from_json(data))
    return trajs


def evaluate_run(run_dir: Path, source: str = "agent") -> dict[str, Any]:
    """AUROC and tau of milestone completion vs success, and checker precision/recall, for a run folder."""
    trajs = load_run(run_dir)
    if not trajs:
        raise FileNotFoundError(f"no trajectory JSON files under {run_dir}")
    scored = [(c, t.success) for t in trajs if (c := completion(t, source)) is not None]
    result: dict[str, Any] = {"trajectories": len(trajs), "scored": len(scored), "source": source,
                              "successes": sum(t.success for t in trajs)}
    scores, labels = [c for c, _ in scored], [y for _, y in scored]
    result["auroc"] = auroc(scores, labels) if 0 < sum(labels) < len(labels) else None
    tau = kendall_tau(scores, [float(y) for y in labels]) if len(scored) > 1 else math.nan
    result["kendall_tau"] = None if math.isnan(tau) else tau
    agree = checker_agreement(trajs)
    if agree:
        result["checker"] = {"pairs": agree.pairs, "precision": _none_if_nan(agree.precision),
                             "recall": _none_if_nan(agree.recall)}
    return result


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else x
