"""WebEnv: the Env protocol over a BrowserSession; suites subclass it with three small hooks.

    class MySuiteEnv(WebEnv):
        def _start(self, session, seed): session.goto(self.task.start_url)
        def _evaluate(self, session, answer): return reward, done, {"success": ...}
        def _goal(self): return self.task.goal

`step` never raises for what the action string or the page does: a parse error or a failed action comes
back as `obs.error` on the same page. `stop [answer]` ends the episode and is evaluated with the answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields, replace
from typing import Any

from mira.env.actions import ActionError, parse_action
from mira.env.browser import DEFAULT_MAX_CHARS, Browser, BrowserSession, Timeouts, shared_browser
from mira.types import Observation, StepResult, Task

__all__ = ["WebEnv", "WebEnvOptions"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebEnvOptions:
    """How a web env observes and acts."""

    max_chars: int = DEFAULT_MAX_CHARS
    """Longest observation text; longer trees are cut at a line with a `[... truncated ...]` marker."""
    screenshots: bool = False
    """Attach a PNG screenshot to every observation (costs ~60 ms a step)."""
    viewport: tuple[int, int] = (1280, 720)
    """Browser window (width, height) in CSS pixels."""
    timeouts: Timeouts = field(default_factory=Timeouts)
    """Action, navigation and noop timeouts."""

    @classmethod
    def from_kwargs(cls, **options: Any) -> WebEnvOptions:
        """Build from keyword options (as `make_env` passes them); ValueError naming unknown ones."""
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - valid)
        if unknown:
            raise ValueError(f"unknown web env option(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
        if isinstance(options.get("timeouts"), dict):
            options["timeouts"] = Timeouts(**options["timeouts"])
        if "viewport" in options:
            options["viewport"] = tuple(options["viewport"])
        return cls(**options)


class WebEnv:
    """One task in a real browser; a fresh browser context every reset."""

    def __init__(self, task: Task, options: WebEnvOptions | None = None, browser: Browser | None = None) -> None:
        self.task = task
        self.options = options or WebEnvOptions()
        self.browser = browser or shared_browser()
        self.session: BrowserSession | None = None
        self.done = False

    # --- hooks for subclasses --------------------------------------------------------------------

    def _start(self, session: BrowserSession, seed: int | None) -> None:
        """Set the task up in a fresh session (navigate, log in, seed); raise RuntimeError if it cannot."""
        if self.task.start_url:
            error = session.goto(self.task.start_url)
            if error:
                raise RuntimeError(f"{self.task.id}: cannot open the start page: {error}")

    def _evaluate(self, session: BrowserSession, answer: str | None) -> tuple[float, bool, dict[str, Any]]:
        """(reward, done, info) after each action; `answer` is the stop answer, None for other actions."""
        return 0.0, answer is not None, {"success": False}

    def _goal(self) -> str:
        return self.task.goal

    def _probe_js(self) -> str | None:
        """A JS function expression read with every observation (in the same round trip) for `_evaluate`,
        which finds its result in `session.last_probe`; None for no probe."""
        return None

    # --- the Env protocol ------------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> Observation:
        """Start the task in a fresh context (the old one is closed after, so Chromium keeps running)."""
        opts = self.options
        fresh = self.browser.new_session(viewport=opts.viewport, screenshots=opts.screenshots, timeouts=opts.timeouts)
        if self.session is not None:
            self.session.close()
        self.session, self.done = fresh, False
        self._start(fresh, seed)
        self.task = replace(self.task, goal=self._goal() or self.task.goal)
        return self._observe("")

    def step(self, action: str) -> StepResult:
        session = self._require_session()
        if self.done:
            return StepResult(self._observe("the episode is over; call reset()"), 0.0, True, False, {"success": False})
        try:
            parsed = parse_action(action)
        except ActionError as e:
            return StepResult(self._observe(str(e)), 0.0, False, False, {})
        answer = None
        error = ""
        if parsed.name == "stop":
            answer = parsed.args[0] if parsed.args else ""
        else:
            error = session.execute(parsed)
        obs = self._observe(error)  # first: it reads the probe `_evaluate` may use
        reward, done, info = self._safe_evaluate(session, answer)
        self.done = done or answer is not None
        if self.done:
            info.setdefault("success", reward > 0)
            if answer is not None:
                info["answer"] = answer
        return StepResult(obs, reward, self.done, False, info)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def __enter__(self) -> WebEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- helpers ---------------------------------------------------------------------------------

    def _require_session(self) -> BrowserSession:
        if self.session is None:
            raise RuntimeError(f"{self.task.id}: call reset() before step()")
        return self.session

    def _safe_evaluate(self, session: BrowserSession, answer: str | None) -> tuple[float, bool, dict[str, Any]]:
        try:
            return self._evaluate(session, answer)
        except Exception as e:  # the page may have navigated away or crashed; the episode goes on
            log.warning("%s: evaluation failed: %s", self.task.id, e)
            return 0.0, answer is not None, {"success": False, "eval_error": str(e)[:500]}

    def _observe(self, error: str) -> Observation:
        session = self._require_session()
        obs = session.observe(self.options.max_chars, probe_js=self._probe_js())
        return replace(obs, goal=self.task.goal, error=error)
