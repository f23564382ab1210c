"""Milestones as a product of their own: a teacher LLM writes K milestones for every task of a suite,
cached on disk (same task, same model, same prompt: no second call)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mira.agent.planner import Planner
from mira.agent.prompting import template_hash
from mira.types import LLM, Task

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """$MIRA_CACHE/milestones, or ~/.cache/mira/milestones."""
    return Path(os.environ.get("MIRA_CACHE") or Path.home() / ".cache" / "mira") / "milestones"


def cache_key(task: Task, model: str, k: int) -> str:
    """Depends on the task's id and goal, the model's name, K and the planner prompt's text."""
    raw = json.dumps([task.id, task.goal, model, k, template_hash("plan")])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class MilestoneWriter:
    """Writes (or reads back from the cache) one task's milestones."""

    def __init__(self, llm: LLM, k: int = 4, cache_dir: Path | None = None) -> None:
        self.llm, self.k = llm, k
        self.cache_dir = cache_dir or default_cache_dir()
        self.planner = Planner(llm, k, start_chars=0, obs_chars=0)
        self.hits = self.misses = 0

    def milestones(self, task: Task) -> dict[str, Any]:
        """{"task_id", "goal", "model", "milestones", "calls"}; `milestones` is [] if the reply was malformed."""
        path = self.cache_dir / f"{cache_key(task, self.llm.name, self.k)}.json"
        if path.is_file():
            self.hits += 1
            cached: dict[str, Any] = json.loads(path.read_text())
            return cached
        self.misses += 1
        calls: list[dict[str, Any]] = []
        items = self.planner.plan(task.goal, "", calls) or []
        if not items:
            log.warning("%s: malformed milestone reply from %s; not cached", task.id, self.llm.name)
        entry = {"task_id": task.id, "goal": task.goal, "model": self.llm.name, "k": self.k,
                 "milestones": items, "calls": calls}
        if items:
            write_json_atomic(path, entry)
        return entry


def write_suite(tasks: list[Task], writer: MilestoneWriter, out: Path,
                progress: Callable[[int, int], None] | None = None) -> dict[str, list[str]]:
    """Milestones for every task, saved to `out` as {task_id: [milestone, ...]} (after every task)."""
    result: dict[str, list[str]] = json.loads(out.read_text()) if out.is_file() else {}
    for i, task in enumerate(tasks):
        result[task.id] = writer.milestones(task)["milestones"]
        write_json_atomic(out, result)
        if progress:
            progress(i + 1, len(tasks))
    return result


def write_json_atomic(path: Path, data: Any) -> None:
    """Temp file + rename, so a reader never sees half a file (agent/ does not import rollout)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def load_milestones(path: str | Path) -> dict[str, list[str]]:
    """A file written by `mira milestones --suite`: {task_id: [milestone, ...]}."""
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ValueError(f"{path}: expected a JSON object {{task_id: [milestone, ...]}}")
    return data
