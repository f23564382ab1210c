"""A tiny text-only Env for agent tests: three pages, two ground-truth milestones, `stop` ends it."""

from __future__ import annotations

from typing import Any

from mira.types import Milestone, Observation, StepResult, Task

PAGES = {
    "home": ("http://toy/", "[1] link 'Shop'\n[2] link 'Forum'"),
    "shop": ("http://toy/shop", "[3] link 'Blue Mat'\n[4] link 'Red Mat'\n[5] button 'Sort'"),
    "blue": ("http://toy/blue", "[6] heading 'Blue Mat'\n[7] StaticText 'Price: $20'"),
    "red": ("http://toy/red", "[6] heading 'Red Mat'"),
    "forum": ("http://toy/forum", "[8] heading 'Forum'"),
}
LINKS = {("home", "1"): "shop", ("home", "2"): "forum", ("shop", "3"): "blue", ("shop", "4"): "red"}
TASK = Task(id="toy/blue-mat", goal="Find the price of the Blue Mat in the shop.", site="toy",
            start_url="http://toy/",
            milestones=(Milestone("Open the shop"), Milestone("Open the Blue Mat product page")))


class ToyEnv:
    def __init__(self, task: Task = TASK) -> None:
        self.task = task
        self.page = "home"
        self.visited: set[str] = set()

    def _obs(self, error: str = "") -> Observation:
        url, text = PAGES[self.page]
        return Observation(text=text, url=url, goal=self.task.goal, error=error)

    def reset(self, seed: int | None = None) -> Observation:
        self.page, self.visited = "home", {"home"}
        return self._obs()

    def step(self, action: str) -> StepResult:
        name, _, rest = action.partition(" ")
        error = ""
        done = False
        if name == "click":
            target = LINKS.get((self.page, rest.strip("[]")))
            if target:
                self.page = target
                self.visited.add(target)
            elif not any(line.startswith(rest) for line in PAGES[self.page][1].splitlines()):
                error = f"no element {rest} on this page"
        elif name == "go_back":
            self.page = "home"
        elif name == "stop":
            done = True
        progress = ["shop" in self.visited, "blue" in self.visited]
        success = done and self.page == "blue" and "20" in rest
        info: dict[str, Any] = {"progress": progress, "success": success}
        return StepResult(self._obs(error), float(success), done, False, info)

    def close(self) -> None:
        pass

    def __enter__(self) -> ToyEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
