"""`scripted:FILE`: fixed replies, in order, for tests and demos; records every message list it received.

FILE is a JSON list of strings, or plain text with replies separated by lines holding only `---`.
In code: `ScriptedLLM(["reply 1", "reply 2"])` or `ScriptedLLM(fn)` with `fn(messages) -> str`.
Token counts are an estimate (characters / 4), so token reports work without a tokenizer.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mira.types import Completion, Message

Replies = list[str] | Callable[[list[Message]], str]


def approx_tokens(text: str) -> int:
    """About 4 characters a token (OpenAI's rule of thumb for English)."""
    return (len(text) + 3) // 4


def load_replies(path: str | Path) -> list[str]:
    """Replies from a file: a JSON list of strings, or blocks separated by `---` lines."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"scripted replies file not found: {p}")
    text = p.read_text()
    if text.lstrip().startswith("["):
        data = json.loads(text)
        if not isinstance(data, list) or not all(isinstance(r, str) for r in data):
            raise ValueError(f"{p}: a JSON replies file must be a list of strings")
        return data
    blocks = re.split(r"^---[ \t]*$", text, flags=re.M)
    return [b.strip("\n") for b in blocks if b.strip()]


class ScriptedLLM:
    """Returns the scripted replies in order; after the last one, `when_done` decides (repeat or raise)."""

    def __init__(self, replies: Replies, name: str = "scripted", when_done: str = "raise") -> None:
        if when_done not in ("raise", "repeat"):
            raise ValueError(f"when_done must be 'raise' or 'repeat', got {when_done!r}")
        self.replies = replies
        self.name = name
        self.when_done = when_done
        self.calls: list[list[Message]] = []
        """Each message list received, in order (copies)."""

    def complete(self, messages: list[Message], **sampling: Any) -> Completion:
        t0 = time.perf_counter()
        self.calls.append([dict(m) for m in messages])
        text = self._next(messages)
        prompt = sum(approx_tokens(m.get("content", "")) for m in messages)
        return Completion(text=text, prompt_tokens=prompt, completion_tokens=approx_tokens(text),
                          latency_s=round(time.perf_counter() - t0, 6))

    def _next(self, messages: list[Message]) -> str:
        if callable(self.replies):
            return self.replies(messages)
        i = len(self.calls) - 1
        if i < len(self.replies):
            return self.replies[i]
        if self.when_done == "repeat" and self.replies:
            return self.replies[-1]
        raise RuntimeError(f"{self.name}: ran out of replies after {len(self.replies)}")


def make(arg: str, **options: Any) -> ScriptedLLM:
    """From a file the last reply repeats once the others are used (a one-line file is a fixed policy)."""
    options.setdefault("when_done", "repeat")
    return ScriptedLLM(load_replies(arg), name=f"scripted:{Path(arg).name}", **options)
