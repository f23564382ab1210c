"""A run folder, read without trusting it: results.jsonl, run.json, trajectories/.

Layout written by `mira eval`:
    DIR/run.json                      the settings the run was started with
    DIR/results.jsonl                 one JSON object per finished episode, appended as it finishes
    DIR/summary.json                  the summary of the records
    DIR/trajectories/<task>__<k>.json each episode's Trajectory

Readers here never write: damage (a truncated line, a missing trajectory, mixed suites, a partial
run) becomes a note for the user and a count of what was skipped.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mira.types import Trajectory

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
RUN_JSON = "run.json"
SUMMARY = "summary.json"
TRAJ_DIR = "trajectories"
REQUIRED = ("task_id", "sample", "success")
"""Fields a results line must have to be counted."""


@dataclass
class Run:
    """What could be read of one run folder."""

    path: Path
    records: list[dict[str, Any]]
    """One record per (task_id, sample); when a pair appears twice the last line wins."""
    settings: dict[str, Any] | None = None
    """run.json's settings, or None when there is no readable run.json."""
    notes: list[str] = field(default_factory=list)
    """Human-readable problems found (partial run, corrupt lines, mixed suites, ...)."""
    skipped_lines: int = 0
    """results.jsonl lines that could not be read."""

    @property
    def suites(self) -> list[str]:
        return sorted({str(r.get("suite", "")) for r in self.records if r.get("suite")})

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


def trajectory_name(task_id: str, sample: int) -> str:
    """The file name of an episode's trajectory; task ids may hold '/' or ':', so those become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", task_id) + f"__{int(sample)}.json"


def trajectory_path(run_dir: Path, task_id: str, sample: int) -> Path:
    return Path(run_dir) / TRAJ_DIR / trajectory_name(task_id, sample)


def read_results(path: Path) -> tuple[list[dict[str, Any]], list[str], int]:
    """Records of a results.jsonl (last line wins per (task_id, sample)), notes, and lines skipped."""
    notes: list[str] = []
    by_key: dict[tuple[str, int], dict[str, Any]] = {}
    bad: list[str] = []
    dupes = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec, why = _parse_line(line)
            if rec is None:
                bad.append(f"line {lineno}: {why}")
                continue
            key = (str(rec["task_id"]), int(rec["sample"]))
            dupes += key in by_key
            by_key[key] = rec
    if bad:
        shown = "; ".join(bad[:3]) + (f"; ... ({len(bad) - 3} more)" if len(bad) > 3 else "")
        notes.append(f"{path.name}: skipped {len(bad)} unreadable line(s) ({shown})")
    if dupes:
        notes.append(f"{path.name}: {dupes} episode(s) appear more than once; the last line of each is used")
    return list(by_key.values()), notes, len(bad)


def _parse_line(line: str) -> tuple[dict[str, Any] | None, str]:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        return None, f"not JSON ({e.msg}; truncated write?)"
    if not isinstance(rec, dict):
        return None, f"expected a JSON object, got {type(rec).__name__}"
    missing = [k for k in REQUIRED if k not in rec]
    if missing:
        return None, f"missing field(s) {', '.join(missing)}"
    try:
        rec["sample"] = int(rec["sample"])
    except (TypeError, ValueError):
        return None, f"sample must be an integer, got {rec['sample']!r}"
    rec["success"] = bool(rec["success"])
    return rec, ""


def read_settings(run_dir: Path) -> tuple[dict[str, Any] | None, list[str]]:
    path = Path(run_dir) / RUN_JSON
    if not path.exists():
        return None, [f"{RUN_JSON} is missing (not started by `mira eval`?); planned episode count unknown"]
    try:
        data = json.loads(path.read_text())
        return dict(data["settings"]), []
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        return None, [f"{RUN_JSON} is unreadable ({type(e).__name__}: {e}); ignored"]


def load_run(run_dir: Path | str) -> Run:
    """Read a run folder; FileNotFoundError (with what is expected) if it has no results.jsonl."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run folder not found: {run_dir}")
    results = run_dir / RESULTS
    if not results.exists():
        raise FileNotFoundError(f"{run_dir} is not a run folder: no {RESULTS} (give the --out folder of `mira eval`)")
    records, notes, skipped = read_results(results)
    settings, more = read_settings(run_dir)
    run = Run(run_dir, records, settings, notes + more, skipped)
    _check_consistency(run)
    for n in run.notes:
        log.warning("%s: %s", run_dir, n)
    return run


def _check_consistency(run: Run) -> None:
    suites = Counter(str(r.get("suite", "?")) for r in run.records)
    if len(suites) > 1:
        mix = ", ".join(f"{s} ({n})" for s, n in suites.most_common())
        run.notes.append(f"results mix suites: {mix}; sites are reported per suite as SUITE:SITE")
    if run.settings:
        planned = len(run.settings.get("tasks", [])) * int(run.settings.get("samples", 1))
        if planned and len(run.records) < planned:
            run.notes.append(f"partial run: {len(run.records)} of {planned} planned episodes finished")
        if suites and run.settings.get("suite") and set(suites) != {run.settings["suite"]}:
            run.notes.append(f"run.json says suite {run.settings['suite']!r} but results hold {', '.join(suites)}")


def load_trajectories(run: Run, records: list[dict[str, Any]] | None = None) -> dict[tuple[str, int], Trajectory]:
    """The trajectories of `records` (default: all) that exist and parse; a note counts the rest."""
    out: dict[tuple[str, int], Trajectory] = {}
    missing = unreadable = 0
    for rec in run.records if records is None else records:
        path = trajectory_path(run.path, rec["task_id"], rec["sample"])
        if not path.exists():
            missing += 1
            continue
        try:
            out[(rec["task_id"], rec["sample"])] = Trajectory.from_json(json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError, ValueError) as e:
            log.debug("unreadable trajectory %s: %s", path, e)
            unreadable += 1
    if missing:
        run.notes.append(f"{missing} trajectory file(s) missing under {TRAJ_DIR}/; those episodes have no step view")
    if unreadable:
        run.notes.append(f"{unreadable} trajectory file(s) unreadable (corrupt JSON); skipped")
    return out
