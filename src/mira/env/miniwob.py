"""MiniWoB++ in mira's browser: the task pages shipped in the `miniwob` wheel, opened as file:// URLs.

Reset opens the page, seeds it (`Math.seedrandom(seed)`), lifts the episode timer (so a slow agent is
not cut: the time-discounted reward then equals the raw one) and starts the episode with
`core.startEpisodeReal()`. The goal is MiniWoB's utterance (`core.getUtterance()`). MiniWoB's own
display (reward, timer, the START cover, the #query box that repeats the goal) is hidden with CSS.
After every action the reward and done flag are read from the page as MiniWoB defines them:
reward = `WOB_RAW_REWARD_GLOBAL` (1 success, -1 failure, partial in a few tasks), done = `WOB_DONE_GLOBAL`;
success = reward > 0. `stop` ends the episode with the reward the page holds.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any

from mira.env import Availability
from mira.env.browser import BrowserSession, chromium_executable
from mira.env.web import WebEnv, WebEnvOptions
from mira.types import Task

__all__ = ["MiniWobSuite", "MiniWobEnv", "miniwob_html_dir"]

EPISODE_MAX_MS = 2_000_000_000
"""The page's episode timer, ~23 days (setTimeout's limit is 2**31 - 1 ms): in effect no timer."""

_SETUP_JS = """({seed, maxTime}) => {
  const style = document.createElement('style');
  style.textContent = '#reward-display, #click-canvas, #sync-task-cover, #query {display: none !important}';
  document.head.appendChild(style);
  Math.seedrandom(seed);
  core.EPISODE_MAX_TIME = maxTime;
  core.startEpisodeReal();
  core.clearTimer();
}"""
_STATE_JS = ("() => typeof WOB_DONE_GLOBAL === 'undefined' ? null"
             " : [WOB_RAW_REWARD_GLOBAL, WOB_REWARD_GLOBAL, WOB_DONE_GLOBAL, WOB_REWARD_REASON]")


def miniwob_html_dir() -> Path | None:
    """site-packages/miniwob/html/miniwob, without importing miniwob (which imports selenium)."""
    spec = importlib.util.find_spec("miniwob")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "html" / "miniwob"
    return path if path.is_dir() else None


class MiniWobEnv(WebEnv):
    """One MiniWoB++ task; `reset(seed)` gives the same page and goal for the same seed."""

    def __init__(self, task: Task, options: WebEnvOptions | None = None) -> None:
        super().__init__(task, options)
        self.seed: int | None = None
        self._utterance = ""

    def _start(self, session: BrowserSession, seed: int | None) -> None:
        self.seed = random.randrange(1_000_000) if seed is None else seed
        error = session.goto(self.task.start_url)
        if error:
            raise RuntimeError(f"{self.task.id}: cannot open {self.task.start_url}: {error}")
        page = session.page
        page.evaluate(_SETUP_JS, {"seed": self.seed, "maxTime": EPISODE_MAX_MS})
        page.wait_for_function("() => WOB_TASK_READY", timeout=session.timeouts.navigation_ms)
        self._utterance = str(page.evaluate("() => core.getUtterance()"))

    def _goal(self) -> str:
        return self._utterance

    def _probe_js(self) -> str:
        return _STATE_JS

    def _evaluate(self, session: BrowserSession, answer: str | None) -> tuple[float, bool, dict[str, Any]]:
        state = session.last_probe if session.last_probe is not None else session.page.evaluate(_STATE_JS)
        if state is None:  # the agent left the task page (goto, a new tab): nothing to read, nothing won
            return 0.0, answer is not None, {"success": False, "reason": "not on the task page", "seed": self.seed}
        raw, discounted, done, reason = state
        reward = float(raw) if done else 0.0
        info: dict[str, Any] = {"raw_reward": raw, "time_reward": discounted, "reason": reason, "seed": self.seed}
        if done or answer is not None:
            info["success"] = reward > 0
        return reward, bool(done), info


class MiniWobSuite:
    """All MiniWoB++ task pages of the installed `miniwob` wheel; one split, "all"."""

    name = "miniwob"
    splits: tuple[str, ...] = ("all",)

    def __init__(self) -> None:
        self.html_dir = miniwob_html_dir()

    def task_ids(self, split: str | None = None) -> list[str]:
        if split not in (None, *self.splits):
            raise ValueError(f"unknown miniwob split {split!r}; valid: {', '.join(self.splits)}")
        return sorted(p.stem for p in self.html_dir.glob("*.html")) if self.html_dir else []

    def load_task(self, task_id: str) -> Task:
        """The task (goal empty: MiniWoB draws it at reset, from the seed)."""
        if self.html_dir is None or not (self.html_dir / f"{task_id}.html").is_file():
            raise KeyError(f"unknown miniwob task {task_id!r}; see `mira tasks --suite miniwob` "
                           f"({len(self.task_ids())} tasks, e.g. click-test, enter-text)")
        url = (self.html_dir / f"{task_id}.html").as_uri()
        return Task(id=f"miniwob/{task_id}", goal="", site="miniwob", start_url=url)

    def availability(self) -> Availability:
        if self.html_dir is None:
            return Availability(False, "the miniwob wheel is not installed (pip install miniwob==1.1.0)")
        try:
            chromium_executable()
        except FileNotFoundError as e:
            return Availability(False, str(e))
        return Availability(True)

    def make_env(self, task_id: str, **options: Any) -> MiniWobEnv:
        return MiniWobEnv(self.load_task(task_id), WebEnvOptions.from_kwargs(**options))
