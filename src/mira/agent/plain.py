"""PlainAgent: the WebArena/WebRL-style agent: goal, previous actions, the current page only, one action a turn."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from mira.agent.acting import act, system_prompt
from mira.agent.prompting import clip, history_lines, render
from mira.llm import make_llm
from mira.types import LLM, Observation, Step, Task, Trajectory


@dataclass(frozen=True)
class PlainConfig:
    """Settings of the plain agent."""

    max_parse_retries: int = 2
    """Re-asks after an unparsable reply (with the parse error shown) before the step is recorded as failed."""
    obs_max_chars: int = 12000
    """The current page is cut to this many characters (WebRL cuts its HTML at 16,384 - 512)."""
    history_steps: int = 0
    """How many previous actions the prompt lists (0: all, as WebRL)."""
    sampling: dict[str, Any] = field(default_factory=dict)
    """Extra arguments for every actor call (temperature, max_tokens, ...)."""


class PlainAgent:
    """One LLM call per step (more only when a reply does not parse)."""

    name = "plain"

    def __init__(self, llm: str | LLM, config: PlainConfig | None = None, **overrides: Any) -> None:
        self.llm = make_llm(llm)
        self.config = PlainConfig(**overrides) if config is None else config
        self._goal = ""
        self._grammar = "web"

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        self._goal = task.goal or obs.goal
        self._grammar = task.action_grammar

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        t0 = time.perf_counter()
        calls: list[dict[str, Any]] = []
        user = render("act_plain", **page_context(self._goal, obs, traj, self.config.obs_max_chars,
                                                  self.config.history_steps))
        messages = [{"role": "system", "content": system_prompt(False, self._grammar)}, {"role": "user", "content": user}]
        turn = act(self.llm, messages, self.config.max_parse_retries, calls, self.config.sampling, self._grammar)
        info: dict[str, Any] = {"llm_calls": calls, "timings": {"act_s": round(time.perf_counter() - t0, 4)}}
        if turn.errors:
            info["parse_errors"] = turn.errors
        return Step(action=turn.action, reply=turn.reply, progress=list(traj.progress), messages=turn.messages,
                    error="" if turn.action else f"unparsable reply: {turn.errors[-1]}", info=info)


def page_context(goal: str, obs: Observation, traj: Trajectory, max_chars: int, last: int) -> dict[str, Any]:
    """The variables of prompts/_page.j2."""
    return {"goal": goal, "history": history_lines(traj.steps, last), "url": obs.url,
            "observation": clip(obs.text, max_chars), "error": obs.error}
