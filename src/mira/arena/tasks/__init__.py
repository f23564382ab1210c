"""Task templates of the arena, and their instantiation into WebArena-format tasks.

A template (`TaskTemplate`) knows how to pick instances from the seeded data, how to build each task's
evaluator config and ground-truth milestones, and how the oracle solves it. Site modules in this
package register their templates with `register`. `generate_tasks()` turns them into the task file
shipped as `mira/arena/data/tasks.json` (`mira arena build-tasks` rewrites it; a test checks it is current).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from mira.arena.db import ARENA_SEED, Database
from mira.types import Observation

OracleGen = Generator[str, Observation, None]
"""An oracle solution: a generator that receives each new observation and yields the next action."""


@dataclass(frozen=True)
class TaskSpec:
    """What a template builds for one instance."""

    start_url: str
    """With site placeholders: __SHOP__, __SHOP_ADMIN__, __FORUM__, __CODE__ (e.g. '__SHOP__/')."""
    eval: dict[str, Any]
    """WebArena `eval`: eval_types, reference_answers, reference_url, program_html (+ notes)."""
    milestones: list[dict[str, Any]]
    """Ordered [{"description": str, "check": {...}}], checks as in mira.arena.milestones."""


@dataclass(frozen=True)
class TaskTemplate:
    id: int
    """Unique across the arena (WebArena's intent_template_id)."""
    sites: tuple[str, ...]
    intent_template: str
    """With {{name}} slots, e.g. 'What is the price of {{product}}?'."""
    kind: str
    """info (answer by stop [answer]) | nav (end on a page) | state (change the site's state)."""
    instances: Callable[[Database, random.Random], list[dict[str, Any]]]
    """Instantiation dicts from the seeded data (at least 10 for templates in both splits)."""
    build: Callable[[dict[str, Any], Database], TaskSpec]
    solve: Callable[[dict[str, Any], Observation], OracleGen]
    """The oracle: works from observations only (finds ids on the page), never reads the database."""
    test_only: bool = False
    """Held out: all its instances are in the test split."""


TEMPLATES: dict[int, TaskTemplate] = {}
_TEMPLATE_MODULES = ("shop", "shop_admin", "forum", "code", "cross")

SITE_PLACEHOLDERS = {"shop": "__SHOP__", "shop_admin": "__SHOP_ADMIN__", "forum": "__FORUM__", "code": "__CODE__"}
TEST_FRACTION = 0.3
"""Share of each template's instances held out for the test split."""
MAX_INSTANCES = 12


def register(t: TaskTemplate) -> TaskTemplate:
    if t.id in TEMPLATES:
        raise ValueError(f"task template id {t.id} registered twice")
    if t.kind not in ("info", "nav", "state"):
        raise ValueError(f"template {t.id}: kind must be info, nav or state, got {t.kind!r}")
    TEMPLATES[t.id] = t
    return t


def load_templates() -> dict[int, TaskTemplate]:
    for name in _TEMPLATE_MODULES:
        importlib.import_module(f"mira.arena.tasks.{name}")
    return TEMPLATES


def instantiate(template: str, values: dict[str, Any]) -> str:
    out = template
    for k, v in values.items():
        out = out.replace("{{" + k + "}}", str(v))
    if "{{" in out:
        raise ValueError(f"template {template!r} has unfilled slots after {values}")
    return out


def generate_tasks(db: Database) -> list[dict[str, Any]]:
    """Every template's instances as WebArena-format task dicts, with `split` and `milestones`."""
    tasks: list[dict[str, Any]] = []
    for tid in sorted(load_templates()):
        t = TEMPLATES[tid]
        insts = t.instances(db, random.Random(f"template-{tid}-{ARENA_SEED}"))[:MAX_INSTANCES]
        n_test = len(insts) if t.test_only else max(1, round(len(insts) * TEST_FRACTION))
        for i, inst in enumerate(insts):
            spec = t.build(inst, db)
            tasks.append({
                "task_id": len(tasks),
                "sites": list(t.sites),
                "intent_template": t.intent_template,
                "intent_template_id": t.id,
                "instantiation_dict": inst,
                "intent": instantiate(t.intent_template, inst),
                "start_url": spec.start_url,
                "require_login": True,
                "storage_state": None,
                "geolocation": None,
                "require_reset": False,
                "eval": spec.eval,
                "milestones": spec.milestones,
                "kind": t.kind,
                "split": "test" if i >= len(insts) - n_test else "train",
            })
    return tasks
