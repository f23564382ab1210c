"""Prompt templates (Jinja2 files under prompts/, StrictUndefined) and the record of each LLM call."""

from __future__ import annotations

import functools
import hashlib
import time
from pathlib import Path
from typing import Any

import jinja2

from mira.types import LLM, Completion, Message

PROMPTS = Path(__file__).with_name("prompts")


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=False, autoescape=False)


def render(name: str, **context: Any) -> str:
    """Render prompts/NAME.j2; a missing variable raises (StrictUndefined), it is never silently empty."""
    return _env().get_template(f"{name}.j2").render(**context).strip()


def template_hash(*names: str) -> str:
    """A short hash of the templates' text, so caches keyed on it expire when a prompt changes."""
    h = hashlib.sha256()
    for n in names:
        h.update((PROMPTS / f"{n}.j2").read_bytes())
    return h.hexdigest()[:12]


def call(llm: LLM, messages: list[Message], role: str, calls: list[dict[str, Any]], **sampling: Any) -> Completion:
    """Call the LLM and append a usage record (role, model, tokens, cost, latency) to `calls`.

    Planner/checker/reflection records also keep their exact messages and reply (the actor's are the
    Step's own `messages` and `reply`)."""
    t0 = time.perf_counter()
    c = llm.complete(messages, **sampling)
    record: dict[str, Any] = {"role": role, "model": llm.name, "prompt_tokens": c.prompt_tokens,
                              "completion_tokens": c.completion_tokens, "cost": c.cost,
                              "latency_s": round(c.latency_s or time.perf_counter() - t0, 4)}
    if not role.startswith("actor"):
        record.update(messages=messages, reply=c.text)
    calls.append(record)
    return c


def clip(text: str, max_chars: int) -> str:
    """The first max_chars characters, with a marker saying how much was cut."""
    if len(text) <= max_chars:
        return text
    return text[:max_chars] + f"\n... ({len(text) - max_chars} more characters cut)"


def history_lines(steps: list[Any], last: int) -> list[str]:
    """Previous actions, one a line with its error, the last `last` only (0: all)."""
    lines = [f"{i + 1}. {s.action or '(unparsable reply)'}" + (f"  -> error: {s.error[:120]}" if s.error else "")
             for i, s in enumerate(steps)]
    return lines[-last:] if last else lines
