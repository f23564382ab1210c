"""Ground-truth milestone checks: programmatic predicates on the arena's state, evaluated after every step.

A check is a small JSON object, so tasks stay data (WebArena format plus a `milestones` list):

- {"kind": "url", "pattern": REGEX}: some page visited so far (path and query, e.g. `/shop/product/12`) matches
- {"kind": "url_now", "pattern": REGEX}: the current page matches
- {"kind": "db", "sql": SELECT, "params": [...]}: the query returns a row whose first column is truthy
- {"kind": "text", "contains": TEXT}: the current observation text contains TEXT (case-insensitive)
- {"kind": "answer"}: the agent stopped and the task's evaluator scored it 1

Milestones are ordered: z_k can turn true only when z_1..z_{k-1} are true (at the same step or before),
and once true it stays true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mira.arena.db import Database


@dataclass(frozen=True)
class CheckContext:
    db: Database
    url: str
    """The current page, as path + query (the server's origin stripped)."""
    visited: Sequence[str]
    text: str
    success: bool | None = None
    """The evaluator's verdict once the agent stopped; None before."""


def _url(spec: dict[str, Any], ctx: CheckContext) -> bool:
    rx = re.compile(spec["pattern"])
    return any(rx.search(u) for u in ctx.visited) or bool(rx.search(ctx.url))


def _url_now(spec: dict[str, Any], ctx: CheckContext) -> bool:
    return bool(re.search(spec["pattern"], ctx.url))


def _db(spec: dict[str, Any], ctx: CheckContext) -> bool:
    row = ctx.db.one(spec["sql"], tuple(spec.get("params", ())))
    return bool(row is not None and row[0])


def _text(spec: dict[str, Any], ctx: CheckContext) -> bool:
    return spec["contains"].lower() in ctx.text.lower()


def _answer(spec: dict[str, Any], ctx: CheckContext) -> bool:
    return bool(ctx.success)


CHECKS: dict[str, Callable[[dict[str, Any], CheckContext], bool]] = {
    "url": _url,
    "url_now": _url_now,
    "db": _db,
    "text": _text,
    "answer": _answer,
}


def validate_check(spec: dict[str, Any]) -> None:
    """ValueError naming what is wrong with a check spec."""
    kind = spec.get("kind")
    if kind not in CHECKS:
        raise ValueError(f"milestone check kind must be one of {', '.join(CHECKS)}, got {kind!r}")
    need = {"url": "pattern", "url_now": "pattern", "db": "sql", "text": "contains"}.get(kind)
    if need and not isinstance(spec.get(need), str):
        raise ValueError(f"milestone check {kind!r} needs a string field {need!r}")


def update_progress(z: Sequence[bool], checks: Sequence[dict[str, Any]], ctx: CheckContext) -> list[bool]:
    """The new z: monotone, and ordered (a milestone counts only after all earlier ones)."""
    out: list[bool] = []
    prefix_ok = True
    for reached, spec in zip(z, checks, strict=True):
        now = reached or (prefix_ok and CHECKS[spec["kind"]](spec, ctx))
        out.append(now)
        prefix_ok = prefix_ok and now
    return out
