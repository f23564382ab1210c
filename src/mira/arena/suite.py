"""ArenaSuite: the embedded default suite (registered as `arena`)."""

from __future__ import annotations

import json
from functools import cached_property
from importlib import resources
from typing import Any

from mira.env import Availability
from mira.types import Env, Milestone, Task

TASKS_FILE = "tasks.json"


def load_task_file() -> list[dict[str, Any]]:
    """The shipped task file (WebArena format + `milestones`, `kind`, `split`)."""
    text = resources.files("mira.arena").joinpath("data").joinpath(TASKS_FILE).read_text()
    tasks: list[dict[str, Any]] = json.loads(text)
    return tasks


def to_task(cfg: dict[str, Any]) -> Task:
    sites = cfg["sites"]
    return Task(
        id=f"arena/{cfg['task_id']}",
        goal=cfg["intent"],
        site=sites[0] if len(sites) == 1 else "multi",
        start_url=cfg["start_url"],
        milestones=tuple(Milestone(m["description"], m["check"]) for m in cfg.get("milestones", [])),
        config=cfg,
    )


class ArenaSuite:
    name = "arena"
    splits = ("train", "test")

    @cached_property
    def _tasks(self) -> dict[str, dict[str, Any]]:
        return {str(t["task_id"]): t for t in load_task_file()}

    def task_ids(self, split: str | None = None) -> list[str]:
        if split is not None and split not in self.splits:
            raise ValueError(f"arena has no split {split!r}; valid splits: {', '.join(self.splits)}")
        return [k for k, t in self._tasks.items() if split is None or t["split"] == split]

    def load_task(self, task_id: str) -> Task:
        cfg = self._tasks.get(str(task_id))
        if cfg is None:
            raise KeyError(f"unknown arena task {task_id!r}; valid ids are 0..{len(self._tasks) - 1} (see `mira tasks --suite arena`)")
        return to_task(cfg)

    def availability(self) -> Availability:
        return Availability(True)

    def make_env(self, task_id: str, **options: Any) -> Env:
        from mira.arena.env import make_arena_env

        return make_arena_env(self.load_task(task_id), **options)
