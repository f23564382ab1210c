"""ScienceWorld (30 task types, 7,207 variations) behind mira's Env API, with its goal progress as milestones.

Task ids: `TASK-VARIATION` (e.g. `boil-3`, `chemistry-mix-paint-secondary-color-12`): one variation, the form
`task_ids()` lists (so `mira suites` counts 7,207). A bare task name (`boil`) is also accepted: then `reset(seed)`
picks the variation `train[seed % len(train)]` of ScienceWorld's own train split (seed None: the first).

Splits are ScienceWorld's own train/dev/test variation splits (3,592 / 1,796 / 1,819), read from
`scienceworld_variations.json`, which `dump_variations()` wrote from the JVM, so listing never starts a JVM.

Observation: the task, the last command's output, the room (`look`) and the inventory. Actions: ScienceWorld's
own commands (`open door to kitchen`, `focus on water`, ...); an unknown command is an observation with `error`
set; mira's `stop [answer]` ends the episode where it stands. Reward: the change of the normalised score
(score/100), so an episode's rewards sum to its final score in [0, 1]; `info['score']` is the raw 0-100 score and
`info['success']` is score 100. Terminated when ScienceWorld marks the task complete (or failed: negative score);
truncated after `step_limit` moves. `info['progress']` / `info['milestones']`: the sequential subgoals of
`get_goal_progress()`, in order (a subgoal once reached stays reached).

The JVM: started lazily at the first reset, with `-XX:-UsePerfData` (no hsperfdata in the temp dir) and a
private `java.io.tmpdir` removed on close; `close()` stops it and waits for the process to exit.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mira.env import Availability
from mira.types import Milestone, Observation, StepResult, Task

__all__ = ["ScienceWorldSuite", "ScienceWorldEnv", "ScienceWorldOptions", "parse_goal_progress", "dump_variations"]

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")
_VARIATIONS_FILE = Path(__file__).with_name("scienceworld_variations.json")
_UNKNOWN = ("No known action matches that input.",)


@cache
def _variations() -> dict[str, dict[str, list[int]]]:
    data: dict[str, dict[str, list[int]]] = json.loads(_VARIATIONS_FILE.read_text())
    return data


@cache
def _titles() -> dict[str, str]:
    """Task name -> human title, from the tasks.json in the scienceworld wheel (no JVM)."""
    try:
        from scienceworld.constants import TASK_PATH
        return {t["task_name"]: t["task"] for t in json.loads(Path(TASK_PATH).read_text())}
    except (ImportError, OSError):
        return {}


def parse_task_id(task_id: str) -> tuple[str, int | None]:
    """`boil-3` -> ("boil", 3); `boil` -> ("boil", None). KeyError naming valid forms otherwise."""
    names = _variations()
    if task_id in names:
        return task_id, None
    name, _, var = task_id.rpartition("-")
    if name in names and var.isdigit():
        v = int(var)
        if any(v in names[name][s] for s in SPLITS):
            return name, v
        total = sum(len(names[name][s]) for s in SPLITS)
        raise KeyError(f"scienceworld task {name!r} has variations 0..{total - 1}, got {v}")
    raise KeyError(f"unknown scienceworld task {task_id!r}: use TASK or TASK-VARIATION, e.g. boil or boil-3; "
                   f"tasks: {', '.join(names)}")


class ScienceWorldSuite:
    """The ScienceWorld suite (`scienceworld/boil-3`)."""

    name = "scienceworld"
    splits = SPLITS

    def task_ids(self, split: str | None = None) -> list[str]:
        if split is not None and split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
        out: list[str] = []
        for name, by_split in _variations().items():
            variations = sorted(v for s in SPLITS if split in (None, s) for v in by_split[s])
            out.extend(f"{name}-{v}" for v in variations)
        return out

    def load_task(self, task_id: str) -> Task:
        name, var = parse_task_id(task_id)
        title = _titles().get(name, name)
        where = f" (variation {var})" if var is not None else ""
        return Task(id=f"scienceworld/{task_id}", goal=f"{title}{where}", site=name, action_grammar="text",
                    config={"task_name": name, "variation": var})

    def availability(self) -> Availability:
        if shutil.which("java") is None:
            return Availability(False, "java not found on PATH (ScienceWorld runs in a JVM; install a JRE >= 11)")
        try:
            import scienceworld  # noqa: F401
        except ImportError:
            return Availability(False, "the scienceworld package is not installed (pip install scienceworld==1.2.3)")
        return Availability(True)

    def make_env(self, task_id: str, **options: Any) -> ScienceWorldEnv:
        return ScienceWorldEnv(self.load_task(task_id), ScienceWorldOptions(**options))


@dataclass(frozen=True)
class ScienceWorldOptions:
    """Settings of one ScienceWorld env."""

    step_limit: int = 100
    """Moves before the episode is truncated."""
    simplifications: str = ""
    """ScienceWorld simplifications, comma-separated (e.g. `easy`, `teleportAction,openDoors`)."""
    gold_path: bool = False
    """Ask ScienceWorld for a gold action sequence at load (`ScienceWorldEnv.gold_actions()`)."""


def parse_goal_progress(text: str) -> list[tuple[str, bool]]:
    """The ordered sequential subgoals of ScienceWorld's goal-progress table: [(description, done), ...]."""
    out: list[tuple[str, bool]] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("Sequential Subgoals"):
            section = "seq"
        elif line.startswith("Unordered and Optional Subgoals"):
            section = "other"
        elif section == "seq":
            m = re.match(r"^\s*\d+\t(true|false)\t[^\t]*\t(.*)$", line)
            if m:
                out.append((m.group(2).strip(), m.group(1) == "true"))
    return out


class ScienceWorldEnv:
    """One ScienceWorld task in its own JVM."""

    def __init__(self, task: Task, options: ScienceWorldOptions | None = None) -> None:
        self.task = task
        self.options = options or ScienceWorldOptions()
        self._sw: Any = None
        self._tmpdir: str | None = None
        self._score = 0
        self._progress: list[bool] = []
        self.done = False

    # --- JVM lifecycle ---
    def _start(self) -> Any:
        if self._sw is None:
            from scienceworld import ScienceWorldEnv as _SW

            self._tmpdir = tempfile.mkdtemp(prefix="mira-scienceworld-")
            opts = f"-XX:-UsePerfData -Djava.io.tmpdir={self._tmpdir}"
            old = os.environ.get("JAVA_TOOL_OPTIONS")
            os.environ["JAVA_TOOL_OPTIONS"] = f"{old} {opts}" if old else opts  # read by the JVM py4j launches
            try:
                self._sw = _SW("", envStepLimit=self.options.step_limit)
            finally:
                if old is None:
                    os.environ.pop("JAVA_TOOL_OPTIONS", None)
                else:
                    os.environ["JAVA_TOOL_OPTIONS"] = old
        return self._sw

    @property
    def java_process(self) -> subprocess.Popen[bytes] | None:
        """The JVM's process (None before the first reset)."""
        return self._sw._gateway.java_process if self._sw is not None else None

    def close(self) -> None:
        sw, self._sw = self._sw, None
        if sw is not None:
            proc = sw._gateway.java_process
            try:
                sw.close()
                proc.wait(timeout=10)
            except Exception as e:  # a JVM that does not exit on request is killed
                log.warning("ScienceWorld JVM did not stop cleanly (%s); killing pid %s", e, proc.pid)
                proc.kill()
                proc.wait(timeout=10)
            sw.close = lambda: None  # its __del__ would close again
            tmp = getattr(sw, "_obj_tree_tempdir", None)
            if tmp is not None:
                tmp.cleanup()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> ScienceWorldEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_sw", None) is not None:
            self.close()

    # --- episode ---
    def reset(self, seed: int | None = None) -> Observation:
        sw = self._start()
        name = self.task.config["task_name"]
        var = self.task.config.get("variation")
        if var is None:
            train = _variations()[name]["train"]
            var = train[(seed or 0) % len(train)]
        sw.load(name, var, self.options.simplifications, generateGoldPath=self.options.gold_path)
        sw.server.reset()
        self._score, self.done = 0, False
        sw.server.step("look around")  # what ScienceWorld does at reset; the room is shown by _observe
        subgoals = parse_goal_progress(sw.get_goal_progress())
        self._progress = [done for _, done in subgoals]
        goal = sw.taskdescription().replace("Task Description:", "").strip()
        self.task = dataclasses.replace(self.task, goal=goal, config={**self.task.config, "variation_loaded": var},
                                        milestones=tuple(Milestone(d, {"scienceworld_subgoal": i})
                                                         for i, (d, _) in enumerate(subgoals)))
        return self._observe("")

    def step(self, action: str) -> StepResult:
        sw = self._sw
        if sw is None:
            raise RuntimeError("call reset() before step()")
        if self.done:
            return StepResult(self._observe("", "the episode is over; call reset()"), 0.0, True, False,
                              {"success": self._score >= 100})
        if re.match(r"^\s*stop\b", action):  # mira's `stop [answer]`: the agent ends the episode where it is
            self.done = True
            return StepResult(self._observe(""), 0.0, True, False, self._info(self._score, False))
        error = ""
        try:
            output = str(sw.server.step(action.strip()))
        except Exception as e:  # a Java-side exception is the action's error, not a crash
            output, error = "", f"ScienceWorld could not run {action!r}: {type(e).__name__}"
        if output.strip() in _UNKNOWN or not action.strip():
            error = f"unknown command {action!r}; use ScienceWorld commands such as 'look around', " \
                    "'open door to kitchen', 'pick up thermometer', 'focus on water', 'wait'"
        score = round(100 * float(sw.server.getScore()))
        reward = (score - self._score) / 100.0
        self._score = score
        terminated = bool(sw.server.getCompleted()) or score < 0
        info = self._info(score, terminated)
        truncated = not terminated and info["moves"] >= self.options.step_limit
        self.done = terminated or truncated
        return StepResult(self._observe(output, error), reward, terminated, truncated, info)

    def _info(self, score: int, terminated: bool) -> dict[str, Any]:
        sw = self._sw
        subgoals = parse_goal_progress(sw.get_goal_progress())
        self._progress = [done or (i < len(self._progress) and self._progress[i])
                          for i, (_, done) in enumerate(subgoals)]
        return {"score": score, "moves": int(sw.get_num_moves()), "progress": list(self._progress),
                "milestones": [d for d, _ in subgoals], "success": score >= 100}

    def _observe(self, output: str, error: str = "") -> Observation:
        sw = self._sw
        goal = self.task.goal
        parts = [f"Task: {goal}"]
        if output and not error:
            parts.append(f"Result: {output.strip()}")
        parts += [f"Room: {str(sw.look()).strip()}", f"Inventory: {str(sw.inventory()).strip()}"]
        return Observation(text="\n\n".join(parts), goal=goal, error=error)

    def gold_actions(self) -> list[str]:
        """ScienceWorld's gold action sequence for the loaded variation (needs `gold_path=True`)."""
        if self._sw is None or not self.options.gold_path:
            raise RuntimeError("gold actions need make_env(..., gold_path=True) and a reset() first")
        return list(self._sw.get_gold_action_sequence())


def dump_variations(path: Path = _VARIATIONS_FILE) -> dict[str, dict[str, list[int]]]:
    """Write each task's train/dev/test variation lists, read from the JVM (about 15 s)."""
    from scienceworld import ScienceWorldEnv as _SW

    sw = _SW("")
    try:
        out = {}
        for name in sw.get_task_names():
            sw.load(name, 0, "")
            out[name] = {"train": list(sw.get_variations_train()), "dev": list(sw.get_variations_dev()),
                         "test": list(sw.get_variations_test())}
    finally:
        sw.close()
    path.write_text(json.dumps(out, separators=(",", ":")))
    return out
