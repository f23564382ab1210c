"""The planner: K ordered, verifiable milestones for a task; and, when stuck, a reflection and a new
plan for the remaining ones. Malformed replies never crash: the caller keeps the last plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mira.agent.prompting import call, clip, render
from mira.types import LLM

_ITEM = re.compile(r"^\s*(?:\d+\s*[.):]|[-*•])\s*(.+?)\s*$")
_REFLECTION = re.compile(r"REFLECTION\s*:\s*(.*?)\s*(?=^\s*PLAN\s*:|\Z)", re.S | re.I | re.M)
_PLAN = re.compile(r"^\s*PLAN\s*:(.*)\Z", re.S | re.I | re.M)


def parse_items(text: str) -> list[str]:
    """Numbered or bulleted lines -> their texts (empty when the reply has none)."""
    items = []
    for line in text.splitlines():
        m = _ITEM.match(line)
        if m and m.group(1).strip(" .").strip():
            items.append(m.group(1).strip())
    return items


def parse_reflection(text: str) -> tuple[str, list[str]]:
    """`REFLECTION: ... PLAN: 1. ...` -> (reflection, items); either may be empty when malformed."""
    r = _REFLECTION.search(text)
    p = _PLAN.search(text)
    reflection = r.group(1).strip() if r else ""
    items = parse_items(p.group(1)) if p else []
    return " ".join(reflection.split())[:600], items


@dataclass(frozen=True)
class Replan:
    """What a reflection produced."""

    reflection: str
    pending: list[str] | None
    """New remaining milestones, or None when the reply had no usable plan."""


class Planner:
    """Writes and rewrites milestone plans with one LLM."""

    def __init__(self, llm: LLM, k: int, start_chars: int, obs_chars: int) -> None:
        self.llm, self.k, self.start_chars, self.obs_chars = llm, k, start_chars, obs_chars

    def plan(self, goal: str, start_page: str, calls: list[dict[str, Any]]) -> list[str] | None:
        """K milestones, or None when the reply held no numbered list."""
        prompt = render("plan", k=self.k, goal=goal, start=clip(start_page, self.start_chars) if self.start_chars else "")
        reply = call(self.llm, [{"role": "user", "content": prompt}], "planner", calls).text
        items = parse_items(reply)
        return items[: self.k] or None

    def reflect(self, goal: str, done: list[str], pending: list[str], history: list[str], url: str,
                page: str, loop: bool, calls: list[dict[str, Any]]) -> Replan:
        prompt = render("reflect", loop=loop, goal=goal, done=done, pending=pending, history=history, url=url,
                        observation=clip(page, self.obs_chars) if self.obs_chars else "", k=max(1, self.k - len(done)))
        reply = call(self.llm, [{"role": "user", "content": prompt}], "reflect", calls).text
        reflection, items = parse_reflection(reply)
        return Replan(reflection, items[: max(1, self.k - len(done))] or None)
