"""SGOAgent: the paper's subgoal-oriented agent ("dynamic milestoning").

start: a planner writes K ordered milestones (or the checker imposes the task's ground-truth ones).
each step: the checker updates z (monotone), stalls and loops trigger a reflection and a re-plan of the
remaining milestones, then the actor sees the checklist, the current subgoal and the next one.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from mira.agent.acting import act, system_prompt
from mira.agent.checker import Checker, make_checker
from mira.agent.milestones import load_milestones
from mira.agent.plain import page_context
from mira.agent.planner import Planner
from mira.agent.prompting import history_lines, render
from mira.llm import make_llm
from mira.types import LLM, Observation, Step, Task, Trajectory


@dataclass(frozen=True)
class SGOConfig:
    """Settings of the SGO agent (the paper gives none; these are our choices)."""

    k_milestones: int = 4
    """Milestones the planner writes (the paper: about 4, fixed)."""
    stall_steps: int = 3
    """Steps without z advancing before the agent reflects and re-plans."""
    loop_window: int = 4
    """Recent steps in which a repeated action or page counts as a loop (only while z is not advancing)."""
    max_replans: int = 3
    """Reflections per episode, at most."""
    reflect_cooldown: int = 2
    """Steps after a reflection before the next one may fire (the new plan gets a chance)."""
    skip_unchanged_check: bool = True
    """Skip the checker when the page is the one it last judged (nothing new to see; saves a call)."""
    max_parse_retries: int = 2
    """Re-asks after an unparsable actor reply before the step is recorded as failed."""
    obs_max_chars: int = 12000
    """The actor's current page is cut to this many characters."""
    check_obs_chars: int = 2000
    """The checker reads only this much of the page (it needs less than the actor: keeps tokens low)."""
    check_history_steps: int = 3
    """Previous actions the checker reads."""
    plan_obs_chars: int = 1000
    """Page excerpt the planner reads at the start and when it reflects (0: the goal only at the start)."""
    history_steps: int = 0
    """Previous actions the actor's prompt lists (0: all)."""
    use_task_milestones: bool = False
    """Plan with the task's ground-truth milestone texts when it has some (so an llm checker can be scored
    against the rule one); the plan is then fixed and a reflection does not rewrite it."""
    milestones_file: str = ""
    """A file from `mira milestones --suite` ({task_id: [milestone, ...]}): its milestones replace the
    planner's first call for the tasks it lists (the paper's teacher-written subgoals)."""
    sampling: dict[str, Any] = field(default_factory=dict)
    """Extra arguments for every actor call (temperature, max_tokens, ...)."""


class SGOAgent:
    """Plan, check, act; reflect and re-plan when stuck."""

    name = "sgo"

    def __init__(self, llm: str | LLM, checker: str | Checker = "llm", planner_llm: str | LLM | None = None,
                 config: SGOConfig | None = None, **overrides: Any) -> None:
        self.llm = make_llm(llm)
        self.config = SGOConfig(**overrides) if config is None else config
        c = self.config
        self.checker = make_checker(checker, self.llm, obs_chars=c.check_obs_chars, history_steps=c.check_history_steps)
        self._teacher = load_milestones(c.milestones_file) if c.milestones_file else {}
        self.planner = Planner(make_llm(planner_llm) if planner_llm else self.llm, c.k_milestones,
                               c.plan_obs_chars, c.plan_obs_chars)

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        self._task, self._goal = task, task.goal or obs.goal
        self._calls: list[dict[str, Any]] = []  # planner calls, reported with the first step
        self._notes: list[str] = []
        self._replans, self._since_progress, self._window_start = 0, 0, 0
        self._pages: list[str] = []
        self._checked_page = ""
        self._last_reflection_step = -10**9  # no reflection yet
        fixed = self.checker.fixed_plan(task)
        if fixed is None and self.config.use_task_milestones and task.milestones:
            fixed = [m.description for m in task.milestones]
        self._fixed = fixed is not None
        if fixed is not None:
            plan: list[str] | None = fixed
        elif self._teacher.get(task.id):
            plan = self._teacher[task.id]
        else:
            plan = self.planner.plan(self._goal, obs.text, self._calls)
        if plan is None:
            self._notes.append("malformed planner reply: planned the whole task as one milestone")
            plan = [f"Complete the task: {self._goal}"]
        self.plan, self.z = list(plan), [False] * len(plan)
        traj.milestones = list(self.plan)
        traj.info["sgo"] = {"checker": self.checker.name, "initial_plan": list(self.plan), "fixed_plan": self._fixed}

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        calls, notes = self._calls, self._notes
        self._calls, self._notes = [], []
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        advanced = self._check(obs, traj, calls, notes)
        timings["check_s"] = round(time.perf_counter() - t0, 4)
        z_checked = list(self.z)
        trigger = self._trigger(obs, traj, advanced)
        reflection = ""
        if trigger:
            t1 = time.perf_counter()
            reflection = self._reflect(obs, traj, trigger == "loop", calls, notes)
            timings["reflect_s"] = round(time.perf_counter() - t1, 4)
        t2 = time.perf_counter()
        turn = act(self.llm, self._messages(obs, traj, reflection), self.config.max_parse_retries, calls,
                   self.config.sampling, self._task.action_grammar)
        timings["act_s"] = round(time.perf_counter() - t2, 4)
        self._pages.append(_page_key(obs))
        info: dict[str, Any] = {"llm_calls": calls, "timings": timings, "z_checked": z_checked}
        if trigger:
            info["trigger"] = trigger
        if notes:
            info["notes"] = notes
        if turn.errors:
            info["parse_errors"] = turn.errors
        if self._task.milestones:
            info["gt_progress"] = [bool(x) for x in traj.progress]
        return Step(action=turn.action, reply=turn.reply, progress=list(self.z), messages=turn.messages,
                    plan=list(self.plan), reflection=reflection, info=info,
                    error="" if turn.action else f"unparsable reply: {turn.errors[-1]}")

    def _check(self, obs: Observation, traj: Trajectory, calls: list[dict[str, Any]], notes: list[str]) -> bool:
        """Update z from the checker (skipped before the first action); True when it advanced."""
        if not traj.steps:
            return False
        key = _page_key(obs)
        if self.config.skip_unchanged_check and key == self._checked_page:
            notes.append("page unchanged since the last check: checker skipped")
            self._since_progress += 1
            return False
        self._checked_page = key
        seen, note = self.checker.check(self._goal, self.plan, self.z, obs, traj, calls)
        if note:
            notes.append(note)
        new = [a or b for a, b in zip(self.z, seen, strict=True)]
        advanced = sum(new) > sum(self.z)
        self.z = new
        self._since_progress = 0 if advanced else self._since_progress + 1
        if advanced:
            self._window_start = len(traj.steps)
        return advanced

    def _trigger(self, obs: Observation, traj: Trajectory, advanced: bool) -> str:
        """'loop', 'stall' or '' (nothing to do)."""
        if advanced or all(self.z) or self._replans >= self.config.max_replans:
            return ""
        if len(traj.steps) - self._last_reflection_step < self.config.reflect_cooldown:
            return ""
        start = max(self._window_start, len(traj.steps) - self.config.loop_window)
        recent = [s.action for s in traj.steps[start:] if s.action]
        pages = self._pages[start:]
        if (len(recent) >= 2 and recent[-1] in recent[:-1]) or _page_key(obs) in pages:
            return "loop"
        return "stall" if self._since_progress >= self.config.stall_steps else ""

    def _reflect(self, obs: Observation, traj: Trajectory, loop: bool, calls: list[dict[str, Any]],
                 notes: list[str]) -> str:
        done = [m for m, r in zip(self.plan, self.z, strict=True) if r]
        pending = [m for m, r in zip(self.plan, self.z, strict=True) if not r]
        out = self.planner.reflect(self._goal, done, pending, history_lines(traj.steps, self.config.loop_window),
                                   obs.url, obs.text, loop, calls)
        self._replans += 1
        self._last_reflection_step = len(traj.steps)
        self._since_progress, self._window_start = 0, len(traj.steps)
        if self._fixed:
            notes.append("plan fixed (ground-truth milestones): reflection only")
        elif out.pending is None:
            notes.append("malformed reflection reply: kept the last plan")
        else:
            self.plan, self.z = done + out.pending, [True] * len(done) + [False] * len(out.pending)
            traj.milestones = list(self.plan)
        return out.reflection or "(no reflection parsed)"

    def _messages(self, obs: Observation, traj: Trajectory, reflection: str) -> list[dict[str, str]]:
        c = self.config
        pending = [m for m, r in zip(self.plan, self.z, strict=True) if not r]
        user = render("act_sgo", **page_context(self._goal, obs, traj, c.obs_max_chars, c.history_steps),
                      checklist=[{"text": m, "done": r} for m, r in zip(self.plan, self.z, strict=True)],
                      current=pending[0] if pending else "", next=pending[1] if len(pending) > 1 else "",
                      reflection=reflection or self._last_reflection(traj))
        system = system_prompt(True, self._task.action_grammar)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _last_reflection(self, traj: Trajectory) -> str:
        return next((s.reflection for s in reversed(traj.steps) if s.reflection), "")


def _page_key(obs: Observation) -> str:
    return hashlib.sha1(f"{obs.url}\n{obs.text}".encode()).hexdigest()[:16]
