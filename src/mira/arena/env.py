"""ArenaEnv: an arena task in a real browser (or browserless), with exact ground-truth progress.

Each env owns an ArenaServer (its own port and database), so episodes never see each other's changes;
`reset()` swaps in a fresh copy of the initial state and logs in to the task's sites, as WebArena's
stored sessions do. After every step `info["progress"]` holds z, computed by the task's milestone checks.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, fields
from typing import Any

from mira.arena.app import login_session, session_cookie
from mira.arena.browserless import StaticBrowser
from mira.arena.milestones import CheckContext, update_progress
from mira.arena.server import ArenaServer
from mira.arena.sites import SITES
from mira.arena.tasks import SITE_PLACEHOLDERS
from mira.env.evaluators import evaluate
from mira.env.web import WebEnv, WebEnvOptions
from mira.types import StepResult, Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArenaOptions:
    """Arena-only options (the rest go to WebEnvOptions)."""

    browserless: bool = False
    """Render observations from the served HTML in-process instead of Chromium (same text, much faster)."""
    judge: str | None = None
    """LLM spec for fuzzy_match answers (arena tasks use exact answers, so rarely needed)."""


def make_arena_env(task: Task, **options: Any) -> ArenaEnv:
    arena_keys = {f.name for f in fields(ArenaOptions)}
    arena = ArenaOptions(**{k: v for k, v in options.items() if k in arena_keys})
    web = WebEnvOptions.from_kwargs(**{k: v for k, v in options.items() if k not in arena_keys})
    return ArenaEnv(task, web, arena)


def substitute(value: Any, base_url: str) -> Any:
    """Replace __SHOP__-style placeholders by this server's site URLs, anywhere in a JSON value."""
    text = json.dumps(value)
    for site, placeholder in SITE_PLACEHOLDERS.items():
        if site in SITES:
            text = text.replace(placeholder, base_url + SITES[site].PREFIX)
    return json.loads(text)


def default_user_id(site: str) -> int:
    uid = getattr(SITES[site], "DEFAULT_USER_ID", None)
    if not isinstance(uid, int):
        raise RuntimeError(f"arena site {site!r} defines no DEFAULT_USER_ID")
    return uid


class ArenaEnv(WebEnv):
    def __init__(self, task: Task, options: WebEnvOptions | None = None, arena: ArenaOptions | None = None) -> None:
        self.arena = arena or ArenaOptions()
        self.server = ArenaServer(serve=not self.arena.browserless)
        browser = StaticBrowser(self.server) if self.arena.browserless else None
        super().__init__(task, options, browser)  # type: ignore[arg-type]
        self.config: dict[str, Any] = substitute(task.config, self.server.base_url)
        self._checks = [m.check or {"kind": "answer"} for m in task.milestones]
        self._z: list[bool] = [False] * len(self._checks)

    def _start(self, session: Any, seed: int | None) -> None:
        db = self.server.reset()
        base = self.server.base_url
        cookies = [{"name": session_cookie(site), "value": login_session(db, site, default_user_id(site)), "url": base}
                   for site in SITES]  # logged in everywhere, so cross-site tasks start like WebArena's
        session.add_cookies(cookies)
        self._z = [False] * len(self._checks)
        error = session.goto(self.config["start_url"])
        if error:
            raise RuntimeError(f"{self.task.id}: cannot open the start page: {error}")

    def _evaluate(self, session: Any, answer: str | None) -> tuple[float, bool, dict[str, Any]]:
        if answer is None:
            return 0.0, False, {}
        run_js = getattr(session, "run_js", None) or (lambda url, loc: _browser_run_js(session, url, loc))
        res = evaluate(self.config, answer=answer, page_url=session.page.url, run_js=run_js, judge=self.arena.judge)
        return res.score, True, {"success": res.score >= 1.0, "eval": copy.deepcopy(res.details),
                                 "needs_judge": res.needs_judge}

    def step(self, action: str) -> StepResult:
        res = super().step(action)
        session = self._require_session()
        base = self.server.base_url
        ctx = CheckContext(
            db=self.server.db,
            url=_strip(res.obs.url, base),
            visited=[_strip(u, base) for u in session.visited_urls],
            text=res.obs.text,
            success=res.info.get("success") if res.terminated else None,
        )
        self._z = update_progress(self._z, self._checks, ctx)
        res.info["progress"] = list(self._z)
        return res

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.server.close()


def _strip(url: str, base: str) -> str:
    return url[len(base):] or "/" if url.startswith(base) else url


_TEXT_JS = "() => document.body ? document.body.innerText : ''"
"""Arena program_html checks read page TEXT for locator '' (webarena-lite reads HTML, as WebArena does):
the arena's must_include contents are written as a person reads the page, and both modes agree on innerText."""


def _browser_run_js(session: Any, url: str, locator: str) -> str:
    """Read text for program_html: the current page for 'last', else the URL in a scratch tab."""
    expr = f"() => {{ try {{ return String({locator}); }} catch (e) {{ return ''; }} }}" if locator else _TEXT_JS
    if url == "last":
        return str(session.page.evaluate(expr))
    page = session.page.context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        return str(page.evaluate(expr))
    finally:
        page.close()
