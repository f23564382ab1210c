"""A tiny text env for trainer tests: click the named item, then stop. Two milestones (clicked, stopped)."""

from __future__ import annotations

from mira.env.actions import ActionError, parse_action
from mira.types import Milestone, Observation, StepResult, Task

ITEMS = ("apple", "pear", "plum", "fig")


class ToyEnv:
    def __init__(self, task_id: str) -> None:
        self.target = ITEMS[int(task_id.rsplit("-", 1)[-1]) % len(ITEMS)]
        self.task = Task(id=f"toy/{task_id}", goal=f"open {self.target} then stop",
                         milestones=(Milestone("open the item"), Milestone("stop")))
        self.z = [False, False]

    def _obs(self, error: str = "") -> Observation:
        page = "\n".join(f"[{i + 1}] link '{name}'" for i, name in enumerate(ITEMS))
        return Observation(text=page, goal=self.task.goal, error=error)

    def reset(self, seed: int | None = None) -> Observation:
        self.z = [False, False]
        return self._obs()

    def step(self, action: str) -> StepResult:
        try:
            a = parse_action(action)
        except ActionError as e:
            return StepResult(self._obs(str(e)), 0.0, False, False, {"progress": list(self.z)})
        if a.name == "click" and a.args and a.args[0] == str(ITEMS.index(self.target) + 1):
            self.z[0] = True
        if a.name == "stop":
            self.z[1] = self.z[0]
            ok = all(self.z)
            return StepResult(self._obs(), float(ok), True, False, {"progress": list(self.z), "success": ok})
        return StepResult(self._obs(), 0.0, False, False, {"progress": list(self.z)})

    def close(self) -> None:
        pass

    def __enter__(self) -> ToyEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def oracle_actions(task_id: str) -> list[str]:
    target = ITEMS[int(task_id.rsplit("-", 1)[-1]) % len(ITEMS)]
    return [f"click [{ITEMS.index(target) + 1}]", "stop [done]"]
