"""The real browser: one headless Chromium shared by many episodes, one fresh context per session.

The only module that imports Playwright. `shared_browser()` starts Chromium lazily; it stops when the
last session closes (and at interpreter exit), so no Chromium outlives the envs that use it.

    session = shared_browser().new_session(viewport=(1280, 720), screenshots=False)
    session.goto("http://127.0.0.1:8000/")      # '' or an error message
    obs = session.observe()                     # text = accessibility tree (see axtree.py)
    session.execute(parse_action("click [12]"))  # '' or an error message; never raises
    session.close()
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Frame, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from mira.env import axtree
from mira.env.actions import Action
from mira.types import Observation

__all__ = ["Browser", "BrowserSession", "Timeouts", "shared_browser", "chromium_executable", "CHROMIUM_FLAGS"]

log = logging.getLogger(__name__)

CHROMIUM_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--disable-smooth-scrolling")
"""Closed-network headless flags (see /work/shared/research/envs.md); smooth scrolling off so a scroll is done when it returns."""

DEFAULT_MAX_CHARS = 12_000


@dataclass(frozen=True)
class Timeouts:
    """How long browser operations may take before they become an error message."""

    action_ms: int = 5_000
    """Click, type, hover, select: waiting for the element to be actionable."""
    navigation_ms: int = 10_000
    """goto, go_back, go_forward, and waiting for a navigation an action started."""
    noop_ms: int = 500
    """How long `noop` lets the page run (the one deliberate wait)."""


def chromium_executable() -> str | None:
    """$MIRA_CHROMIUM, else /usr/bin/chromium, else None (Playwright's own browser, if installed)."""
    env = os.environ.get("MIRA_CHROMIUM")
    if env:
        if not Path(env).exists():
            raise FileNotFoundError(f"MIRA_CHROMIUM={env} does not exist")
        return env
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class Browser:
    """One Chromium process, started on the first `new_session` and stopped with the last session."""

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable
        self._pw: Playwright | None = None
        self._browser: Any = None
        self._sessions: set[BrowserSession] = set()
        self._holds = 0

    @contextmanager
    def kept_open(self) -> Iterator[Browser]:
        """Keep Chromium running between envs while inside (a worker playing many episodes saves a
        launch per episode); it stops on leaving, once no session is open."""
        self._holds += 1
        try:
            yield self
        finally:
            self._holds -= 1
            if not self._holds and not self._sessions:
                self._stop()

    @property
    def running(self) -> bool:
        return self._browser is not None

    def new_session(self, viewport: tuple[int, int] = (1280, 720), screenshots: bool = False,
                    timeouts: Timeouts | None = None) -> BrowserSession:
        """A fresh context (no cookies, no storage) with one blank tab."""
        self._start()
        context = self._browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        context.add_init_script(_LEAVING_JS)
        session = BrowserSession(self, context, screenshots, timeouts or Timeouts())
        self._sessions.add(session)
        return session

    def close(self) -> None:
        """Close every session and stop Chromium and the Playwright driver."""
        for s in list(self._sessions):
            s.close()
        self._stop()

    def _start(self) -> None:
        if self._browser is not None:
            return
        exe = self.executable or chromium_executable()
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=exe, headless=True, args=list(CHROMIUM_FLAGS))
        except Exception:
            self._pw.stop()
            self._pw = None
            raise
        log.info("started Chromium %s (%s)", self._browser.version, exe or "playwright's")

    def _release(self, session: BrowserSession) -> None:
        self._sessions.discard(session)
        if not self._sessions and not self._holds:
            self._stop()

    def _stop(self) -> None:
        browser, pw = self._browser, self._pw
        self._browser = self._pw = None
        for closer in (browser, pw):
            if closer is not None:
                try:
                    closer.close() if closer is browser else closer.stop()
                except Exception as e:  # the process may already be gone
                    log.debug("closing browser: %s", e)


_local = threading.local()


def shared_browser() -> Browser:
    """This thread's shared Browser (created on first use; Chromium itself starts with the first session).

    One per thread because Playwright's sync API is bound to the thread that started it.
    """
    browser: Browser | None = getattr(_local, "browser", None)
    if browser is None:
        browser = _local.browser = Browser()
        atexit.register(browser.close)
    return browser


class BrowserSession:
    """One episode's browser state: a fresh context and its tabs; acts by element ids of the last observation."""

    def __init__(self, browser: Browser, context: BrowserContext, screenshots: bool, timeouts: Timeouts) -> None:
        self.browser, self.context, self.screenshots, self.timeouts = browser, context, screenshots, timeouts
        self.visited_urls: list[str] = []
        self._closed = False
        context.set_default_timeout(timeouts.action_ms)
        context.set_default_navigation_timeout(timeouts.navigation_ms)
        self._tracked: list[Page] = []
        self._navigations = 0  # main-frame navigations of the active tab: settle only after one
        self._known_ids: frozenset[str] = frozenset()  # ids shown by the last observation, of _known_page
        self._known_page: Page | None = None
        self.last_probe: Any = None
        context.on("page", self._on_page)
        self._active: Page = context.new_page()
        self._on_page(self._active)

    # --- tabs ------------------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        """The active tab."""
        return self._active

    @property
    def pages(self) -> list[Page]:
        return list(self.context.pages)

    def _on_page(self, page: Page) -> None:  # new tabs (ours or popups) become active, as in WebArena
        if page not in self._tracked:
            self._tracked.append(page)
            page.on("framenavigated", lambda frame: self._on_navigated(page, frame))
            self._active = page

    def _on_navigated(self, page: Page, frame: Frame) -> None:
        if page is self._active and frame is page.main_frame:
            self._navigations += 1
            self._known_ids = frozenset()  # the next action on an id checks that it exists
            if not self.visited_urls or self.visited_urls[-1] != frame.url:
                self.visited_urls.append(frame.url)

    # --- the API ---------------------------------------------------------------------------------

    def goto(self, url: str) -> str:
        """Open `url` in the active tab; '' or the error message."""
        return self._guard("goto", lambda: self._goto(url))

    def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        self.context.add_cookies(cookies)  # type: ignore[arg-type]

    def observe(self, max_chars: int = DEFAULT_MAX_CHARS, probe_js: str | None = None) -> Observation:
        """The active tab as an Observation (goal and error left empty for the env to fill).

        `probe_js` (a JS function expression) runs in the same round trip; its result is `self.last_probe`.
        """
        page = self._active
        snap = self._snapshot(page, probe_js)
        if self._active is not page:  # a popup opened while we read: show the new active tab
            page = self._active
            snap = self._snapshot(page, probe_js)
        self.last_probe = snap.probe
        text = axtree.truncate(snap.text, max_chars)
        self._known_ids, self._known_page = axtree.ids_in(text), page
        pages = self.pages
        titles = tuple(snap.title if p is page else _title(p) for p in pages)
        if len(pages) > 1:
            header = "Tabs: " + " | ".join(f"[{i}] {t}" + (" (current)" if p is page else "")
                                           for i, (p, t) in enumerate(zip(pages, titles, strict=True)))
            text = header + "\n" + text
        shot = None
        if self.screenshots:
            try:
                shot = page.screenshot(type="png")
            except PlaywrightError as e:
                log.debug("screenshot failed: %s", e)
        return Observation(text=text, url=page.url, tabs=titles, screenshot=shot)

    def execute(self, action: Action) -> str:
        """Perform `action` on the active tab; '' or an error message (never raises)."""
        handler = _HANDLERS.get(action.name)
        if handler is None:
            return f"{action.name}: not a browser action (valid: {', '.join(_HANDLERS)})"
        navigations = self._navigations
        self.last_probe = None
        error = self._guard(action.name, lambda: handler(self, *action.args))
        for page in self.context.pages:  # popups whose "page" event has not been dispatched yet
            self._on_page(page)
        if action.name in _MAY_NAVIGATE:
            self._await_started_navigation(navigations)
        if self._navigations != navigations and not self._active.is_closed():
            self._settle()
        return error

    def close(self) -> None:
        """Close the context (all tabs); stops Chromium if this was its last session."""
        if self._closed:
            return
        self._closed = True
        try:
            self.context.close()
        except Exception as e:
            log.debug("closing context: %s", e)
        self.browser._release(self)

    # --- helpers ---------------------------------------------------------------------------------

    def _guard(self, name: str, fn: Callable[[], str | None]) -> str:
        try:
            return fn() or ""
        except PlaywrightError as e:
            if "Timeout" in type(e).__name__ or "Timeout " in str(e):
                return f"{name}: timed out ({_first_line(e)}); the element may be hidden, covered or disabled"
            return f"{name}: {_first_line(e)}"
        except LookupError as e:
            return f"{name}: {e.args[0]}"
        except Exception as e:  # never let a page break the episode loop
            log.warning("%s failed: %r", name, e)
            return f"{name}: {type(e).__name__}: {e}"

    def _snapshot(self, page: Page, probe_js: str | None) -> axtree.Snapshot:
        try:
            return axtree.snapshot(page, probe_js)
        except PlaywrightError:  # a navigation replaced the document mid-walk: wait for the new one, retry once
            self._settle()
            try:
                return axtree.snapshot(page, probe_js)
            except PlaywrightError as e:
                return axtree.Snapshot(f"(the page cannot be read: {_first_line(e)})", "", 0)

    def _await_started_navigation(self, before: int) -> None:
        """A click can return before the navigation it started is reported (seen under heavy load).

        The init script marks a document that fired `beforeunload`; if the page is leaving and no
        navigation was seen yet, wait for it, so the next observation shows the new page.
        """
        page = self._active
        if self._navigations != before or page.is_closed():
            return
        try:
            leaving = bool(page.evaluate("() => !!window.__miraLeaving"))
        except PlaywrightError:  # the old document is already gone: a navigation is under way
            leaving = True
        deadline = time.monotonic() + self.timeouts.navigation_ms / 1000
        while leaving and self._navigations == before and not page.is_closed() and time.monotonic() < deadline:
            page.wait_for_timeout(10)  # lets Playwright dispatch the framenavigated event

    def _settle(self) -> None:
        """Wait for a navigation the action may have started (returns at once when none did)."""
        try:
            self._active.wait_for_load_state("domcontentloaded", timeout=self.timeouts.navigation_ms)
        except PlaywrightError as e:
            log.debug("settle: %s", _first_line(e))

    def _element(self, element_id: str) -> Any:
        loc = self._active.locator(axtree.locator_for(element_id))
        # An id the last observation showed is acted on at once (saves a round trip); others are checked
        # first, so a wrong id is an immediate error rather than a timeout.
        known = self._known_ids if self._known_page is self._active else frozenset()
        if element_id not in known and loc.count() == 0:
            raise LookupError(f"no element with id [{element_id}] on this page; use an id from the current observation")
        return loc.first

    def _goto(self, url: str) -> None:
        self._active.goto(url, wait_until="load")

    # --- actions (one method each, registered in _HANDLERS) ---------------------------------------

    # force=True: a real mouse event at the element's centre, without Playwright's actionability waits
    # (~30 ms of animation frames a click); a covered element gets the click its cover receives, as a user's.

    def _click(self, element_id: str) -> None:
        self._element(element_id).click(force=True)

    def _type(self, element_id: str, text: str, enter: str = "1") -> None:
        el = self._element(element_id)
        el.fill("", force=True)  # focuses and clears
        if len(text) <= 200:  # real key events, which autocomplete widgets and key handlers listen to
            self._active.keyboard.type(text)
        else:
            el.fill(text, force=True)
        if enter == "1":
            self._active.keyboard.press("Enter")

    def _hover(self, element_id: str) -> None:
        self._element(element_id).hover(force=True)

    def _press(self, keys: str) -> None:
        self._active.keyboard.press(_normalize_keys(keys))

    def _scroll(self, direction: str) -> None:
        height = (self._active.viewport_size or {"height": 720})["height"]
        # scrollBy, not a wheel event: the wheel scrolls asynchronously, so the next read could miss it
        self._active.evaluate("(dy) => window.scrollBy(0, dy)", height if direction == "down" else -height)

    def _select(self, element_id: str, option: str) -> str | None:
        el = self._element(element_id)
        labels = el.evaluate("e => e.tagName === 'SELECT' ? Array.from(e.options).map(o => o.label || o.text) : null")
        if labels is None:
            return f"select: [{element_id}] is not a drop-down (<select>); click it instead"
        labels = [str(label).strip() for label in labels]
        if option.strip() not in labels:
            return f"select: no option {option!r} in [{element_id}]; options: {', '.join(map(repr, labels[:30]))}"
        el.select_option(label=option.strip(), force=True)
        return None

    def _go_back(self) -> str | None:
        before = self._active.url
        moved = self._active.go_back(wait_until="load") is not None or self._active.url != before
        return None if moved else "go_back: no previous page in this tab"

    def _go_forward(self) -> str | None:
        before = self._active.url
        moved = self._active.go_forward(wait_until="load") is not None or self._active.url != before
        return None if moved else "go_forward: no next page in this tab (go_back first)"

    def _new_tab(self) -> None:
        self._on_page(self.context.new_page())

    def _tab_focus(self, index: str) -> str | None:
        pages = self.pages
        i = int(index)
        if not 0 <= i < len(pages):
            return f"tab_focus: no tab [{i}]; tabs are 0..{len(pages) - 1}"
        self._active = pages[i]
        self._active.bring_to_front()
        return None

    def _close_tab(self) -> None:
        self._active.close()
        pages = self.pages
        if pages:
            self._active = pages[-1]
            self._active.bring_to_front()
        else:
            self._on_page(self.context.new_page())

    def _noop(self) -> None:
        self._active.wait_for_timeout(self.timeouts.noop_ms)


_HANDLERS: dict[str, Callable[..., str | None]] = {
    "click": BrowserSession._click,
    "type": BrowserSession._type,
    "hover": BrowserSession._hover,
    "press": BrowserSession._press,
    "scroll": BrowserSession._scroll,
    "select": BrowserSession._select,
    "goto": BrowserSession._goto,
    "go_back": BrowserSession._go_back,
    "go_forward": BrowserSession._go_forward,
    "new_tab": BrowserSession._new_tab,
    "tab_focus": BrowserSession._tab_focus,
    "close_tab": BrowserSession._close_tab,
    "noop": BrowserSession._noop,
}

_KEY_NAMES = {"enter": "Enter", "return": "Enter", "tab": "Tab", "esc": "Escape", "escape": "Escape",
              "backspace": "Backspace", "delete": "Delete", "del": "Delete", "space": "Space", "up": "ArrowUp",
              "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight", "arrowup": "ArrowUp",
              "arrowdown": "ArrowDown", "arrowleft": "ArrowLeft", "arrowright": "ArrowRight", "home": "Home",
              "end": "End", "pageup": "PageUp", "pagedown": "PageDown", "ctrl": "Control", "control": "Control",
              "alt": "Alt", "shift": "Shift", "meta": "Meta", "cmd": "Meta"}


_MAY_NAVIGATE = frozenset({"click", "press", "type", "select"})
_LEAVING_JS = "addEventListener('beforeunload', () => { window.__miraLeaving = true; });"


def _normalize_keys(keys: str) -> str:
    """`ctrl+a` -> `Control+a`, `enter` -> `Enter`: Playwright's key names are case-sensitive."""
    return "+".join(_KEY_NAMES.get(k.strip().lower(), k.strip()) for k in keys.split("+"))


def _title(page: Page) -> str:
    try:
        return page.title()
    except PlaywrightError:
        return ""


def _first_line(e: BaseException) -> str:
    lines = [ln for ln in str(e).splitlines() if ln.strip() and not ln.startswith("=")]
    return lines[0].strip()[:300] if lines else type(e).__name__
