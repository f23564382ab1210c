"""Milestone checkers, registered by name: `llm` (the AutoRater; `llm:SPEC` for another model than the
actor), `rule` (the env's ground truth, with the task's own milestones as the plan) and `none`.

A checker returns the milestones it sees reached now; the SGO agent ORs that into z (monotone).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from mira.agent.prompting import call, clip, history_lines, render
from mira.llm import make_llm
from mira.types import LLM, Observation, Task, Trajectory

_ANSWER = re.compile(r"^\s*(?:milestone\s*)?(\d+)\s*[:.)\-]\s*\**\s*(yes|no|done|not|true|false|reached)", re.I | re.M)


class Checker(Protocol):
    name: str

    def fixed_plan(self, task: Task) -> list[str] | None:
        """The plan this checker imposes (ground-truth texts), or None to let the planner write one."""
        ...

    def check(self, goal: str, plan: list[str], z: list[bool], obs: Observation, traj: Trajectory,
              calls: list[dict[str, Any]]) -> tuple[list[bool], str]:
        """(milestones seen reached now, a note for the trajectory: '' when all went well)."""
        ...


def parse_answers(text: str) -> dict[int, bool]:
    """`2: yes` lines -> {2: True}; later lines win."""
    return {int(n): v.lower() in ("yes", "done", "true", "reached") for n, v in _ANSWER.findall(text)}


class LLMChecker:
    """The AutoRater: asks an LLM about the milestones not reached yet, reading a clipped current page."""

    name = "llm"

    def __init__(self, llm: LLM, obs_chars: int = 2000, history_steps: int = 3, max_tokens: int = 64) -> None:
        self.llm, self.obs_chars, self.history_steps, self.max_tokens = llm, obs_chars, history_steps, max_tokens

    def fixed_plan(self, task: Task) -> list[str] | None:
        return None

    def check(self, goal: str, plan: list[str], z: list[bool], obs: Observation, traj: Trajectory,
              calls: list[dict[str, Any]]) -> tuple[list[bool], str]:
        pending = [(i + 1, m) for i, m in enumerate(plan) if not z[i]]
        if not pending:
            return list(z), ""
        prompt = render("check", goal=goal, pending=pending, history=history_lines(traj.steps, self.history_steps),
                        url=obs.url, observation=clip(obs.text, self.obs_chars))
        sampling = {"max_tokens": max(self.max_tokens, 8 * len(pending))} if self.max_tokens else {}
        reply = call(self.llm, [{"role": "user", "content": prompt}], "checker", calls, **sampling).text
        answers = parse_answers(reply)
        asked = {i for i, _ in pending}
        if not answers.keys() & asked:
            return list(z), "malformed checker reply: treated as no progress"
        return [z[i] or answers.get(i + 1, False) for i in range(len(plan))], ""


class RuleChecker:
    """Ground truth: the progress the env reports (run_episode copies it into traj.progress)."""

    name = "rule"

    def fixed_plan(self, task: Task) -> list[str] | None:
        if not task.milestones:
            raise ValueError(f"checker 'rule' needs a task with ground-truth milestones; {task.id} has none "
                             "(use --checker llm or none)")
        return [m.description for m in task.milestones]

    def check(self, goal: str, plan: list[str], z: list[bool], obs: Observation, traj: Trajectory,
              calls: list[dict[str, Any]]) -> tuple[list[bool], str]:
        if len(traj.progress) != len(plan):
            return list(z), f"env reported {len(traj.progress)} milestones for a plan of {len(plan)}: ignored"
        return [bool(a) or bool(b) for a, b in zip(z, traj.progress, strict=True)], ""


class NoChecker:
    """z never moves: the SGO prompt without progress tracking (an ablation)."""

    name = "none"

    def fixed_plan(self, task: Task) -> list[str] | None:
        return None

    def check(self, goal: str, plan: list[str], z: list[bool], obs: Observation, traj: Trajectory,
              calls: list[dict[str, Any]]) -> tuple[list[bool], str]:
        return list(z), ""


CHECKERS: dict[str, type] = {"llm": LLMChecker, "rule": RuleChecker, "none": NoChecker}


def make_checker(spec: str | Checker, actor: LLM, **options: Any) -> Checker:
    """`llm` (the actor's model), `llm:SPEC`, `rule` or `none`; ValueError naming the valid kinds.

    `options` (obs_chars, history_steps, max_tokens) configure the llm checker; the others take none."""
    if not isinstance(spec, str):
        return spec
    kind, _, arg = spec.partition(":")
    if kind not in CHECKERS or (arg and kind != "llm"):
        raise ValueError(f"unknown checker {spec!r}; valid: llm, llm:SPEC (e.g. llm:openai:gpt-4o), rule, none")
    if kind == "llm":
        return LLMChecker(make_llm(arg) if arg else actor, **options)
    checker: Checker = CHECKERS[kind]()
    return checker
