"""The actor's turn, shared by `plain` and `sgo`: ask, parse, re-ask with the parse error a bounded
number of times, and give up as a failed step (action '') rather than crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mira.agent.prompting import call, render
from mira.env.actions import TEXT_COMMANDS_HELP, ActionError, describe_actions, extract_action, extract_command
from mira.types import LLM, Message


@dataclass
class Turn:
    """What one actor turn produced."""

    action: str
    """Canonical action, '' when no reply parsed."""
    reply: str
    """The last raw reply."""
    messages: list[Message]
    """The exact messages of the last request (with the retries' exchanges)."""
    errors: list[str] = field(default_factory=list)
    """The parse error of each rejected reply."""


GRAMMARS: dict[str, tuple[Callable[[], str], Callable[[str], str]]] = {
    "web": (describe_actions, lambda reply: str(extract_action(reply))),
    "text": (lambda: TEXT_COMMANDS_HELP, extract_command),
}
"""Per Task.action_grammar: the prompt's action list and the reply parser."""


def system_prompt(sgo: bool, grammar: str = "web") -> str:
    return render("system", actions=GRAMMARS[grammar][0](), sgo=sgo, web=grammar == "web")


def act(llm: LLM, messages: list[Message], max_retries: int, calls: list[dict[str, Any]],
        sampling: dict[str, Any], grammar: str = "web") -> Turn:
    """Ask for one action; on an unparsable reply, show the error and ask again (at most max_retries times)."""
    messages = list(messages)
    errors: list[str] = []
    reply = ""
    for attempt in range(max_retries + 1):
        reply = call(llm, messages, "actor" if attempt == 0 else "actor_retry", calls, **sampling).text
        try:
            return Turn(GRAMMARS[grammar][1](reply), reply, messages, errors)
        except ActionError as e:
            errors.append(str(e))
            if attempt < max_retries:
                messages = [*messages, {"role": "assistant", "content": reply},
                            {"role": "user", "content": render("parse_retry", error=str(e))}]
    return Turn("", reply, messages, errors)
