"""Any BrowserGym task (`browsergym/miniwob.click-test`, ...) behind mira's Env API.

Observation text is BrowserGym's accessibility tree (`flatten_axtree_to_str`), so element ids are its bids.
Actions are mira's grammar, translated to BrowserGym's high-level actions: `click [12]` -> `click('12')`,
`type [12] [x] [1]` -> `fill('12', 'x')` + `press('12', 'Enter')`, `press [k]` -> `keyboard_press('k')`,
`scroll [down]` -> `scroll(0, 300)`, `select` -> `select_option`, `goto`/`go_back`/`go_forward`, `new_tab`,
`tab_focus [i]`, `close_tab` -> `tab_close()`, `noop`, and `stop [answer]` -> `send_msg_to_user(answer)`,
which ends the episode with the task's own reward.

Offline remedies (envs.md section 3), applied the first time an env is made, never at `import mira`:
- BrowserGym launches Playwright's bundled Chromium for the task and its chat window; `BrowserType.launch` is
  patched to use the system Chromium (`mira.env.browser.chromium_executable()`) with the closed-network flags.
- MINIWOB_URL defaults to the HTML shipped in the `miniwob` wheel (file://).
- MiniWoB tasks whose links are `href="#"` change the page URL to `...html#` and stock `validate()` then ends
  the episode with reward 0; validation treats a URL that differs only by its fragment as the task page.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from mira.env import Availability
from mira.env.actions import Action, ActionError, parse_action
from mira.types import Observation, StepResult, Task

__all__ = ["BrowserGymSuite", "BrowserGymEnv", "BrowserGymOptions", "to_browsergym", "setup_offline"]

log = logging.getLogger(__name__)

_BENCHMARKS = ("miniwob",)
"""BrowserGym benchmark packages listed by task_ids() (others can still be run by id if installed)."""
_SUBSETS = ["chat", "infeas", "bid", "coord", "nav", "tab"]
_SCROLL_PX = 300
_patched = False


def to_browsergym(action: Action) -> str:
    """mira's Action as BrowserGym high-level action code (one or more calls, one a line)."""
    a, r = action.args, repr
    simple = {"click": lambda: f"click({r(a[0])})", "hover": lambda: f"hover({r(a[0])})",
              "press": lambda: f"keyboard_press({r(a[0])})",
              "scroll": lambda: f"scroll(0, {_SCROLL_PX if a[0] == 'down' else -_SCROLL_PX})",
              "select": lambda: f"select_option({r(a[0])}, {r(a[1])})", "goto": lambda: f"goto({r(a[0])})",
              "go_back": lambda: "go_back()", "go_forward": lambda: "go_forward()", "new_tab": lambda: "new_tab()",
              "tab_focus": lambda: f"tab_focus({int(a[0])})", "close_tab": lambda: "tab_close()",
              "noop": lambda: "noop(0)", "stop": lambda: f"send_msg_to_user({r(a[0] if a else '')})"}
    if action.name == "type":
        code = f"fill({r(a[0])}, {r(a[1])})"
        return code + (f"\npress({r(a[0])}, 'Enter')" if (a[2] if len(a) > 2 else "1") == "1" else "")
    if action.name not in simple:
        raise ActionError(f"{action.name}: no BrowserGym equivalent")
    return simple[action.name]()


def setup_offline() -> None:
    """Apply the offline remedies once per process (see the module docstring)."""
    global _patched
    if _patched:
        return
    if not os.environ.get("MINIWOB_URL"):
        spec = importlib.util.find_spec("miniwob")
        if spec and spec.origin:
            os.environ["MINIWOB_URL"] = (Path(spec.origin).parent / "html" / "miniwob").as_uri() + "/"
    _patch_launch()
    _patch_miniwob_validate()
    _patched = True


def _patch_launch() -> None:
    # BrowserGym drives its own Playwright; patching its launcher is the one place besides browser.py.
    from playwright.sync_api import BrowserType

    from mira.env.browser import CHROMIUM_FLAGS, chromium_executable

    original = BrowserType.launch
    executable = chromium_executable()

    def launch(self: Any, **kwargs: Any) -> Any:
        if executable:
            kwargs.setdefault("executable_path", executable)
        kwargs["args"] = [*(kwargs.get("args") or []), *CHROMIUM_FLAGS]
        return original(self, **kwargs)

    BrowserType.launch = launch  # type: ignore[method-assign]


def _patch_miniwob_validate() -> None:
    try:
        from browsergym.miniwob.base import AbstractMiniwobTask
    except ImportError:
        return
    original = AbstractMiniwobTask.validate

    def validate(self: Any, page: Any, chat_messages: list[str]) -> Any:
        if page == self.page and page.url != self.url and page.url.split("#")[0] == self.url:
            info = self._get_info()
            return float(info["RAW_REWARD_GLOBAL"] > 0), info["DONE_GLOBAL"], "", info
        return original(self, page, chat_messages)

    AbstractMiniwobTask.validate = validate  # type: ignore[method-assign]


def _import_benchmark(task_id: str) -> None:
    """Import the BrowserGym package that registers `task_id` (`miniwob.x` -> browsergym.miniwob)."""
    bench = task_id.split(".", 1)[0]
    try:
        importlib.import_module(f"browsergym.{bench}")
    except ImportError as e:
        raise KeyError(f"browsergym task {task_id!r}: package browsergym-{bench} is not installed ({e})") from None


class BrowserGymSuite:
    """BrowserGym tasks by their gym id without the `browsergym/` prefix (`miniwob.click-test`)."""

    name = "browsergym"
    splits = ("test",)

    def task_ids(self, split: str | None = None) -> list[str]:
        if split not in (None, "test"):
            raise ValueError(f"unknown split {split!r}; valid: test")
        setup_offline()
        import gymnasium as gym

        for bench in _BENCHMARKS:
            if importlib.util.find_spec(f"browsergym.{bench}") is not None:
                importlib.import_module(f"browsergym.{bench}")
        return sorted(k.removeprefix("browsergym/") for k in gym.registry if k.startswith("browsergym/"))

    def load_task(self, task_id: str) -> Task:
        import gymnasium as gym

        setup_offline()
        _import_benchmark(task_id)
        if f"browsergym/{task_id}" not in gym.registry:
            raise KeyError(f"unknown browsergym task {task_id!r}; e.g. miniwob.click-test "
                           f"(`mira tasks --suite browsergym` lists them)")
        return Task(id=f"browsergym/{task_id}", goal="", site=task_id.split(".", 1)[0])

    def availability(self) -> Availability:
        if importlib.util.find_spec("browsergym.core") is None:
            return Availability(False, "browsergym-core is not installed (pip install 'mira[browsergym]')")
        return Availability(True)

    def make_env(self, task_id: str, **options: Any) -> BrowserGymEnv:
        valid = {f.name for f in fields(BrowserGymOptions)}
        unknown = sorted(set(options) - valid)
        if unknown:
            raise ValueError(f"unknown browsergym option(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
        return BrowserGymEnv(self.load_task(task_id), BrowserGymOptions(**options))


@dataclass(frozen=True)
class BrowserGymOptions:
    """Settings passed to BrowserGym's env."""

    pre_observation_delay: float | None = None
    """Seconds BrowserGym waits before observing (None: its default 0.5; 0.0 is ~2x faster per step)."""
    slow_mo: int | None = None
    """Playwright slow-motion ms (None: the task's own, 100 for MiniWoB)."""
    max_chars: int = 12_000
    """Longest observation text."""
    viewport: tuple[int, int] | None = None
    """(width, height); None keeps the task's viewport (changing it may change the task)."""


_live_envs = 0
_borrowed = False


def _acquire_playwright() -> None:
    """Let BrowserGym share one sync Playwright per thread with mira's browser (two cannot coexist).

    If mira's shared browser is running, BrowserGym borrows its Playwright; otherwise BrowserGym starts its own,
    which `_release_playwright` stops when the last BrowserGym env closes, so mira's browser can start after.
    """
    global _live_envs, _borrowed
    import browsergym.core as bgc

    from mira.env.browser import shared_browser

    if bgc._PLAYWRIGHT is None and shared_browser().running:
        bgc._set_global_playwright(shared_browser()._pw)
        _borrowed = True
    _live_envs += 1


def _release_playwright() -> None:
    global _live_envs, _borrowed
    import browsergym.core as bgc

    _live_envs = max(0, _live_envs - 1)
    if _live_envs == 0 and bgc._PLAYWRIGHT is not None:
        if not _borrowed:
            bgc._PLAYWRIGHT.stop()
        bgc._PLAYWRIGHT, _borrowed = None, False


class BrowserGymEnv:
    """One BrowserGym task; its gym env (two Chromium processes: task and chat) lives until close()."""

    def __init__(self, task: Task, options: BrowserGymOptions | None = None) -> None:
        self.task = task
        self.options = options or BrowserGymOptions()
        self._env: Any = None
        self._last: Observation | None = None
        self.done = False

    def _make(self) -> Any:
        if self._env is None:
            import gymnasium as gym
            from browsergym.core.action.highlevel import HighLevelActionSet

            setup_offline()
            o = self.options
            kwargs: dict[str, Any] = {"action_mapping": HighLevelActionSet(subsets=_SUBSETS).to_python_code}
            if o.pre_observation_delay is not None:
                kwargs["pre_observation_delay"] = o.pre_observation_delay
            if o.slow_mo is not None:
                kwargs["slow_mo"] = o.slow_mo
            if o.viewport is not None:
                kwargs["viewport"] = {"width": o.viewport[0], "height": o.viewport[1]}
            _acquire_playwright()
            try:
                self._env = gym.make(self.task.id, **kwargs)
            except Exception:
                _release_playwright()
                raise
        return self._env

    def reset(self, seed: int | None = None) -> Observation:
        obs, _ = self._make().reset(seed=seed)
        self.done = False
        return self._observe(obs)

    def step(self, action: str) -> StepResult:
        if self._env is None or self._last is None:
            raise RuntimeError(f"{self.task.id}: call reset() before step()")
        if self.done:
            return StepResult(self._error("the episode is over; call reset()"), 0.0, True, False, {"success": False})
        try:
            parsed = parse_action(action)
            code = to_browsergym(parsed)
        except ActionError as e:
            return StepResult(self._error(str(e)), 0.0, False, False, {})
        obs, reward, terminated, truncated, info = self._env.step(code)
        terminated = bool(terminated) or parsed.name == "stop"
        self.done = terminated or bool(truncated)
        out = {"success": bool(terminated and reward > 0), "browsergym_action": code}
        if isinstance(info.get("task_info"), dict) and "error" in info["task_info"]:
            out["task_error"] = str(info["task_info"]["error"])
        return StepResult(self._observe(obs), float(reward), terminated, bool(truncated), out)

    def _observe(self, obs: dict[str, Any]) -> Observation:
        from browsergym.utils.obs import flatten_axtree_to_str

        text = flatten_axtree_to_str(obs["axtree_object"])
        if len(text) > self.options.max_chars:
            text = text[: text.rfind("\n", 0, self.options.max_chars)] + "\n[... truncated ...]"
        goal = str(obs.get("goal") or "")
        if goal and goal != self.task.goal:
            from dataclasses import replace

            self.task = replace(self.task, goal=goal)
        self._last = Observation(text=text, url=str(obs.get("url", "")), goal=goal,
                                 error=str(obs.get("last_action_error") or ""),
                                 tabs=tuple(str(t) for t in obs.get("open_pages_titles", ())))
        return self._last

    def _error(self, error: str) -> Observation:
        from dataclasses import replace

        assert self._last is not None
        return replace(self._last, error=error)

    def close(self) -> None:
        env, self._env = self._env, None
        if env is not None:
            try:
                env.close()
            finally:
                _release_playwright()

    def __enter__(self) -> BrowserGymEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
