"""A demonstrator (the arena oracle) wrapped so its steps read like the policy being trained: SFT targets."""

from __future__ import annotations

from typing import Any

from mira.types import Observation, Step, Task, Trajectory


class Teacher:
    """Plays the inner agent's actions and records each step as the trained policy would have said it
    (`annotate`: the policy's prompt as `messages`, its words for the action as `reply`)."""

    name = "teacher"

    def __init__(self, inner: Any, history: int = 3) -> None:
        self.inner, self.history = inner, history

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        self.inner.start(task, obs, traj)

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        step = self.inner.act(obs, traj)
        self.annotate(step, obs, traj)
        return step

    def annotate(self, step: Step, obs: Observation, traj: Trajectory) -> None:
        raise NotImplementedError
