"""Transparent failure detectors: functions over a trajectory, registered by name, each returning evidence.

A detector returns a list of evidence strings (empty when it does not fire). Each belongs to one of
the paper's failure modes (MiRA Fig. 3, WebRL's taxonomy): stuck_midway, wrong_termination,
no_reasonable_attempt, others. `classify` picks the label by a fixed priority over fired detectors:
an episode that crashed is `others`; one that never really tried is `no_reasonable_attempt`; one
that stopped itself on a wrong state is `wrong_termination`; one that looped or ran out of steps
is `stuck_midway`; anything else is `others`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from mira.types import Trajectory

LABELS = ("stuck_midway", "wrong_termination", "no_reasonable_attempt", "others")
"""The failure modes, in the order charts and counts list them."""
PRIORITY = ("others_error", "no_reasonable_attempt", "wrong_termination", "stuck_midway")
"""Which fired group wins; `others_error` (a crashed episode) is reported as `others`."""
MEANINGFUL = frozenset({"click", "type", "select", "goto", "hover", "press", "tab_focus", "new_tab", "go_back"})
"""Actions that change what the page shows or holds (scroll/noop/stop do not)."""


@dataclass(frozen=True)
class DetectorConfig:
    """Thresholds of the detectors."""

    repeat_min: int = 3
    """A block of 1-3 actions repeated this many times in a row (same page) counts as a loop."""
    revisit_min: int = 3
    """Coming back to one URL this many separate times counts as going round in circles."""
    stall_steps: int = 8
    """This many final steps without a new milestone (with milestones left) counts as no progress."""
    early_steps: int = 2
    """Stopping within this many steps with no milestone reached counts as giving up early."""


Detector = Callable[[Trajectory, DetectorConfig], list[str]]
DETECTORS: dict[str, tuple[str, Detector]] = {}
"""name -> (group, function); group is a LABEL or `others_error`."""


def detector(name: str, group: str) -> Callable[[Detector], Detector]:
    def add(fn: Detector) -> Detector:
        DETECTORS[name] = (group, fn)
        return fn
    return add


def _name(action: str) -> str:
    return action.split(" ", 1)[0] if action else ""


def _stopped(traj: Trajectory) -> bool:
    return traj.exit_reason == "stop" or bool(traj.steps and _name(traj.steps[-1].action) == "stop")


def reached_at(traj: Trajectory) -> list[int]:
    """z after each step (count of milestones reached), cumulative; the final z counts for the last step."""
    counts, best = [], 0
    for i, step in enumerate(traj.steps):
        z = traj.steps[i + 1].progress if i + 1 < len(traj.steps) else traj.progress
        best = max(best, sum(bool(x) for x in (z or step.progress)))
        counts.append(best)
    return counts


# --- others ---------------------------------------------------------------------------------


@detector("episode_error", "others_error")
def episode_error(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    if not traj.exit_reason.startswith("error:"):
        return []
    return [f"episode ended by {traj.exit_reason}: {str(traj.info.get('error', ''))[:200]}".rstrip(": ")]


# --- no reasonable attempt ------------------------------------------------------------------


@detector("parse_failures", "no_reasonable_attempt")
def parse_failures(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    bad = sum(1 for s in traj.steps if not s.action)
    if traj.exit_reason == "parse_error":
        return [f"ended after {bad} unparseable repl{'y' if bad == 1 else 'ies'} (exit parse_error)"]
    if traj.steps and bad * 2 >= len(traj.steps) and bad >= 2:
        return [f"{bad} of {len(traj.steps)} replies did not parse as an action"]
    return []


@detector("gave_up_early", "no_reasonable_attempt")
def gave_up_early(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    if not _stopped(traj) or len(traj.steps) > cfg.early_steps or any(traj.progress):
        return []
    answer = traj.steps[-1].action if traj.steps else ""
    return [f"stopped at step {len(traj.steps) - 1} with no milestone reached ({answer or 'no action'})"]


@detector("no_meaningful_action", "no_reasonable_attempt")
def no_meaningful_action(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    names = [_name(s.action) for s in traj.steps]
    if any(n in MEANINGFUL for n in names):
        return []
    used = ", ".join(f"{n or 'unparsed'} x{c}" for n, c in Counter(names).most_common()) or "none"
    return [f"no action interacted with the page in {len(names)} step(s) (actions: {used})"]


@detector("all_actions_failed", "no_reasonable_attempt")
def all_actions_failed(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    acted = [s for s in traj.steps if s.action and _name(s.action) != "stop"]
    if len(acted) < 2 or any(not s.error for s in acted):
        return []
    return [f"all {len(acted)} actions failed, e.g. {acted[0].action!r}: {acted[0].error[:120]}"]


# --- wrong termination ----------------------------------------------------------------------


@detector("stopped_wrong", "wrong_termination")
def stopped_wrong(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    if traj.success or not _stopped(traj) or not traj.steps:
        return []
    last = traj.steps[-1]
    total = len(traj.progress)
    out = [f"agent stopped at step {len(traj.steps) - 1} on {last.url or 'an unknown page'} ({last.action or 'stop'})"]
    if traj.answer:
        out.append(f"answer given: {traj.answer[:200]!r} judged wrong")
    if total:
        out.append(f"{sum(traj.progress)} of {total} milestones reached when it stopped")
    return out


# --- stuck midway ---------------------------------------------------------------------------


def longest_repeat(keys: list[str], max_period: int = 3) -> tuple[int, int, int]:
    """(repeats, period, start) of the longest run of a block of 1..max_period keys repeated back to back."""
    best = (1, 1, 0)
    for p in range(1, max_period + 1):
        i = 0
        while i + p <= len(keys):
            reps = 1
            while keys[i + reps * p: i + (reps + 1) * p] == keys[i: i + p]:
                reps += 1
            if reps > best[0] and (p == 1 or len(set(keys[i: i + p])) == p):
                best = (reps, p, i)
            i += max(1, (reps - 1) * p) if reps > 1 else 1
    return best


@detector("repeated_actions", "stuck_midway")
def repeated_actions(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    keys = [f"{s.action}@{s.url}" for s in traj.steps if s.action]
    reps, period, start = longest_repeat(keys)
    if reps < cfg.repeat_min:
        return []
    block = " ; ".join(k.split("@", 1)[0] for k in keys[start: start + period])
    return [f"repeated {block!r} {reps} times in a row (from action {start}) on the same page"]


@detector("revisited_pages", "stuck_midway")
def revisited_pages(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    visits: Counter[str] = Counter()
    prev = None
    for s in traj.steps:
        if s.url and s.url != prev:
            visits[s.url] += 1
        prev = s.url
    url, n = visits.most_common(1)[0] if visits else ("", 0)
    return [f"came back to {url} {n} separate times"] if n >= cfg.revisit_min else []


@detector("no_milestone_progress", "stuck_midway")
def no_milestone_progress(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    total = len(traj.progress)
    if not total or not traj.steps or all(traj.progress):
        return []
    counts = reached_at(traj)
    last_gain = next((i for i in range(len(counts) - 1, -1, -1) if counts[i] > (counts[i - 1] if i else 0)), -1)
    stall = len(counts) - 1 - last_gain
    if stall < cfg.stall_steps:
        return []
    since = f"since step {last_gain}" if last_gain >= 0 else "from the start"
    return [f"no new milestone in the last {stall} steps ({counts[-1]}/{total} reached {since})"]


@detector("step_limit", "stuck_midway")
def step_limit(traj: Trajectory, cfg: DetectorConfig) -> list[str]:
    if traj.exit_reason == "timeout":
        return [f"episode hung: killed by the harness timeout after {len(traj.steps)} step(s)"]
    if traj.exit_reason in ("max_steps", "truncated"):
        return [f"ran out of steps ({len(traj.steps)}) without finishing (exit {traj.exit_reason})"]
    return []


# --- classification -------------------------------------------------------------------------


def run_detectors(traj: Trajectory, cfg: DetectorConfig | None = None) -> dict[str, list[str]]:
    """Every detector that fired on `traj`, by name, with its evidence."""
    cfg = cfg or DetectorConfig()
    return {name: ev for name, (_, fn) in DETECTORS.items() if (ev := fn(traj, cfg))}


def classify(traj: Trajectory, cfg: DetectorConfig | None = None) -> tuple[str, list[str], list[str]]:
    """(label, evidence, fired detector names) for a failed episode."""
    fired = run_detectors(traj, cfg)
    for group in PRIORITY:
        names = [n for n in fired if DETECTORS[n][0] == group]
        if names:
            label = "others" if group == "others_error" else group
            return label, [e for n in names for e in fired[n]], names
    return "others", [f"no detector fired (exit {traj.exit_reason or 'unknown'}, {len(traj.steps)} steps)"], []


def off_track_step(traj: Trajectory, label: str) -> int | None:
    """The step (0-based) where a heuristic places the turn for the worse; None when it cannot tell."""
    if not traj.steps:
        return None
    if label == "no_reasonable_attempt":
        return 0
    counts = reached_at(traj)
    last_gain = next((i for i in range(len(counts) - 1, -1, -1) if counts[i] > (counts[i - 1] if i else 0)), -1)
    if label == "wrong_termination":
        return len(traj.steps) - 1 if last_gain < 0 else min(last_gain + 1, len(traj.steps) - 1)
    if label == "stuck_midway":
        keys = [f"{s.action}@{s.url}" for s in traj.steps]
        reps, _, start = longest_repeat(keys)
        cands = [min(last_gain + 1, len(traj.steps) - 1)] if any(traj.progress) or last_gain >= 0 else []
        if reps >= DetectorConfig().repeat_min:
            cands.append(start)
        return min(cands) if cands else 0
    return None
