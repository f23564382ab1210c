"""A tiny real suite for harness tests: a counter page whose milestones are counts reached.

Task `count-N-SITE`: press `click [1]` N times, then `stop [N]`; milestone k holds once the counter
reaches k. Task `hang-0-SITE` blocks forever in `step` (for the timeout path). Each step sleeps
TOY_STEP_S seconds (env var) so that tests can kill a run mid-way.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from typing import Any

from mira.env import Availability
from mira.types import Milestone, Observation, StepResult, Task

TASKS = ["count-2-alpha", "count-3-alpha", "count-2-beta", "count-4-beta", "count-1-gamma", "count-3-gamma"]


class ToySuite:
    name = "toy"
    splits = ("test",)

    def task_ids(self, split: str | None = None) -> list[str]:
        return [*TASKS, "hang-0-alpha"] if split is None else list(TASKS)

    def load_task(self, task_id: str) -> Task:
        kind, n, site = task_id.split("-")
        if kind not in ("count", "hang"):
            raise KeyError(f"unknown toy task {task_id!r}")
        ms = tuple(Milestone(f"counter reaches {k}") for k in range(1, int(n) + 1))
        return Task(id=f"toy/{task_id}", goal=f"make the counter show {n}, then stop [{n}]", site=site, milestones=ms)

    def availability(self) -> Availability:
        return Availability(True)

    def make_env(self, task_id: str, screenshots: bool = False) -> ToyEnv:
        return ToyEnv(self.load_task(task_id), screenshots)


def png(w: int, h: int = 3) -> bytes:
    """A small valid red PNG of width w, made by hand (the counter value shows as the width)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class ToyEnv:
    def __init__(self, task: Task, screenshots: bool = False) -> None:
        self.task, self.count, self.screenshots = task, 0, screenshots
        self.delay = float(os.environ.get("TOY_STEP_S", "0"))

    def _obs(self, error: str = "") -> Observation:
        return Observation(text=f"[1] button 'plus'\ncounter: {self.count}", url=f"http://toy/{self.count}",
                           goal=self.task.goal, error=error, screenshot=png(self.count + 1) if self.screenshots else None)

    def reset(self, seed: int | None = None) -> Observation:
        self.count = 0
        return self._obs()

    def step(self, action: str) -> StepResult:
        if self.task.id.startswith("toy/hang"):
            time.sleep(3600)
        time.sleep(self.delay)
        z = [self.count >= k for k in range(1, len(self.task.milestones) + 1)]
        if action.startswith("stop"):
            ok = self.count == len(self.task.milestones)
            return StepResult(self._obs(), float(ok), True, False, {"success": ok, "progress": z, "answer": action})
        if action == "click [1]":
            self.count += 1
        z = [self.count >= k for k in range(1, len(self.task.milestones) + 1)]
        return StepResult(self._obs(), 0.0, False, False, {"progress": z})

    def close(self) -> None:
        pass

    def __enter__(self) -> ToyEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def register() -> str:
    """Register the toy suite as `toy` (in this process; workers get it through EvalConfig.suite_path)."""
    from mira.env import SUITES, _cache

    SUITES["toy"] = f"{__name__}:ToySuite"
    _cache.pop("toy", None)
    return SUITES["toy"]


def write_actions(path: Any, n: int) -> str:
    """An actions file: n clicks then stop [n]."""
    from pathlib import Path

    Path(path).write_text("click [1]\n" * n + f"stop [{n}]\n")
    return str(path)


if __name__ == "__main__":  # `python tests/eval/toysuite.py eval --suite toy ...`: the mira CLI with `toy` registered
    import sys

    import toysuite  # this file under its module name, so workers can import the suite

    from mira.cli import main

    toysuite.register()
    sys.exit(main(sys.argv[1:]))
