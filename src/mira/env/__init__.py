"""One environment API for every suite: `make_env("SUITE/TASK_ID") -> Env`.

Suites are registered by name with a dotted path, imported only when used, so listing suites never
starts a browser or a JVM.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from mira.types import Env, Task

__all__ = ["Suite", "Availability", "SUITES", "get_suite", "make_env", "load_task", "split_ref"]


@dataclass(frozen=True)
class Availability:
    """Whether a suite can run on this machine, and why not."""

    ok: bool
    reason: str = ""


class Suite(Protocol):
    """A set of tasks and the way to make an env for one of them."""

    name: str
    splits: tuple[str, ...]

    def task_ids(self, split: str | None = None) -> list[str]:
        """Task ids (without the suite prefix), of one split or all."""
        ...

    def load_task(self, task_id: str) -> Task:
        """The task; raises KeyError with a clear message for an unknown id."""
        ...

    def availability(self) -> Availability: ...

    def make_env(self, task_id: str, **options: Any) -> Env: ...


SUITES: dict[str, str] = {
    "arena": "mira.arena.suite:ArenaSuite",
    "miniwob": "mira.env.miniwob:MiniWobSuite",
    "webarena-lite": "mira.env.webarena:WebArenaLiteSuite",
    "scienceworld": "mira.env.scienceworld:ScienceWorldSuite",
    "browsergym": "mira.env.browsergym:BrowserGymSuite",
}
_cache: dict[str, Suite] = {}


def get_suite(name: str) -> Suite:
    """The suite registered under `name`; ValueError listing the valid names otherwise."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; valid suites: {', '.join(SUITES)}")
    if name not in _cache:
        module, _, attr = SUITES[name].partition(":")
        _cache[name] = getattr(importlib.import_module(module), attr)()
    return _cache[name]


def split_ref(task_ref: str) -> tuple[str, str]:
    """`SUITE/TASK_ID` -> (suite, task_id); the task id may itself contain '/' (browsergym ids)."""
    suite, sep, task_id = task_ref.partition("/")
    if not sep or not task_id:
        raise ValueError(f"task reference must be SUITE/TASK_ID (e.g. miniwob/click-test), got {task_ref!r}")
    return suite, task_id


def load_task(task_ref: str) -> Task:
    suite, task_id = split_ref(task_ref)
    return get_suite(suite).load_task(task_id)


def make_env(task_ref: str, **options: Any) -> Env:
    """Make an env for `SUITE/TASK_ID`; raises ValueError/KeyError/RuntimeError with a clear message."""
    suite_name, task_id = split_ref(task_ref)
    suite = get_suite(suite_name)
    avail = suite.availability()
    if not avail.ok:
        raise RuntimeError(f"suite {suite_name!r} cannot run here: {avail.reason}")
    return suite.make_env(task_id, **options)
