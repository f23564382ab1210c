"""StaticSession: BrowserSession's API without a browser, for pages with no scripts (the arena's).

Pages come from a `Fetch` callable (the arena's WSGI app in-process via `wsgi_fetch`, or any server via
`http_fetch`), are parsed and rendered by `mira.env.htmltree`, and actions are carried out the way
Chromium does on such pages (checked against real Chromium in tests/arena/test_browserless.py):
per-tab history where back/forward reuse the cached response (re-fetched only under
`Cache-Control: no-store`) and restore form state; a link to the current URL and a `goto` of it replace
the entry; redirects followed; cookies per host; forms submitted by a click on a submit button or by
Enter in a text field (implicit submission); focus as `document.activeElement`.

    session = StaticSession(wsgi_fetch(server._app), origin=server.base_url)
    session.goto(server.base_url + "/shop/")
    session.execute(parse_action("click [12]"))
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from mira.arena import browserless_forms as forms
from mira.env import axtree, htmlcss, htmltree
from mira.env.actions import Action
from mira.env.htmltree import Document, Element
from mira.types import Observation

__all__ = ["StaticSession", "Fetched", "Fetch", "wsgi_fetch", "http_fetch", "DEFAULT_MAX_CHARS"]

log = logging.getLogger(__name__)
DEFAULT_MAX_CHARS = 12_000
_BLANK = "about:blank"


class Fetched(NamedTuple):
    """One HTTP response."""

    status: int
    headers: list[tuple[str, str]]
    body: str


Fetch = Callable[[str, str, str | None, dict[str, str]], Fetched]
"""(method, absolute url, urlencoded body or None, cookies) -> response; raises ConnectionError if unreachable."""


def wsgi_fetch(app: Callable[..., Any]) -> Fetch:
    """Serve requests by calling a WSGI app in-process (no sockets)."""

    def fetch(method: str, url: str, body: str | None, cookies: dict[str, str]) -> Fetched:
        parts = urlsplit(url)
        raw = (body or "").encode()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": parts.path or "/", "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "127.0.0.1", "SERVER_PORT": str(parts.port or 80),
            "HTTP_HOST": parts.netloc, "wsgi.url_scheme": parts.scheme or "http", "wsgi.input": io.BytesIO(raw),
            "CONTENT_LENGTH": str(len(raw)), "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        }
        out: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            out["status"], out["headers"] = int(status.split()[0]), headers

        chunks = app(environ, start_response)
        text = b"".join(chunks).decode("utf-8", "replace")
        return Fetched(out["status"], out["headers"], text)

    return fetch


def http_fetch(timeout: float = 10.0) -> Fetch:
    """Serve requests from a real HTTP server (redirects are not followed here: the session does it)."""
    import http.client

    def fetch(method: str, url: str, body: str | None, cookies: dict[str, str]) -> Fetched:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
            resp = conn.getresponse()
            return Fetched(resp.status, resp.getheaders(), resp.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    return fetch


@dataclass
class _Entry:
    """A session history entry: its URL, the response it showed, and its document while alive."""

    url: str
    body: str
    no_store: bool
    doc: Document
    state: dict[tuple[str, str, int], Any] = field(default_factory=dict)


@dataclass
class _Tab:
    entries: list[_Entry] = field(default_factory=list)
    index: int = -1

    @property
    def entry(self) -> _Entry | None:
        return self.entries[self.index] if self.index >= 0 else None

    @property
    def url(self) -> str:
        return self.entry.url if self.entry else _BLANK

    @property
    def doc(self) -> Document:
        return self.entry.doc if self.entry else _blank_doc()


def _blank_doc() -> Document:
    return htmltree.parse("")


class StaticSession:
    """One episode's "browser" over static pages: same public API as mira.env.browser.BrowserSession."""

    def __init__(self, fetch: Fetch, origin: str = "", max_redirects: int = 20) -> None:
        self.fetch = fetch
        self.origin = origin.rstrip("/")
        """Only URLs under this origin are reachable ('' = any the fetch serves)."""
        self.max_redirects = max_redirects
        self.visited_urls: list[str] = []
        self.cookies: dict[tuple[str, str], tuple[str, str]] = {}
        """(host, name) -> (value, path)."""
        self.tabs: list[_Tab] = [_Tab()]
        self._active = self.tabs[0]
        self._closed = False

    @property
    def page(self) -> _Tab:
        """The active tab (its .url and .doc)."""
        return self._active

    # --- the API ---------------------------------------------------------------------------------

    def goto(self, url: str) -> str:
        return self._guard("goto", lambda: self._goto(url))

    def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        for c in cookies:
            host = c.get("domain") or urlsplit(c.get("url", "")).hostname or ""
            self.cookies[(host.lstrip("."), c["name"])] = (str(c["value"]), c.get("path") or "/")

    def observe(self, max_chars: int = DEFAULT_MAX_CHARS, probe_js: str | None = None) -> Observation:
        """As BrowserSession.observe; `probe_js` (a page check some suites read) has no meaning without JS."""
        tab = self._active
        snap = htmltree.render(tab.doc)
        text = axtree.truncate(snap.text, max_chars)
        titles = tuple(t.doc.title for t in self.tabs)
        if len(self.tabs) > 1:
            text = "Tabs: " + " | ".join(f"[{i}] {title}" + (" (current)" if t is tab else "")
                                         for i, (t, title) in enumerate(zip(self.tabs, titles, strict=True))) + "\n" + text
        return Observation(text=text, url=tab.url, tabs=titles)

    def execute(self, action: Action) -> str:
        handler = _HANDLERS.get(action.name)
        if handler is None:
            return f"{action.name}: not a browser action (valid: {', '.join(_HANDLERS)})"
        return self._guard(action.name, lambda: handler(self, *action.args))

    def run_js(self, url: str, locator: str) -> str:
        """Read a page for program_html: '' = the page's innerText; or exactly
        "document.querySelector('<css>').outerText" (a missing element raises, as the JS would)."""
        doc = self._active.doc if url in ("last", "") else self._load_detached(url)
        if not locator.strip():
            return htmlcss.inner_text(doc, doc.body) if doc.body is not None else ""
        sel = forms.query_selector_locator(locator)
        el = htmlcss.query_selector(doc.root, sel)
        if el is None:
            raise LookupError(f"document.querySelector({sel!r}) is null on {url}")
        return htmlcss.inner_text(doc, el)

    def close(self) -> None:
        self._closed = True
        self.tabs = [_Tab()]
        self._active = self.tabs[0]

    # --- navigation ------------------------------------------------------------------------------

    def _guard(self, name: str, fn: Callable[[], str | None]) -> str:
        try:
            return fn() or ""
        except (ConnectionError, OSError) as e:
            return f"{name}: net::ERR_CONNECTION_REFUSED ({e})"
        except forms.Timeout as e:
            return f"{name}: timed out ({e}); the element may be hidden, covered or disabled"
        except forms.PageError as e:
            return f"{name}: {e}"
        except Exception as e:  # the same shape as BrowserSession's catch-all
            return f"{name}: {type(e).__name__}: {e}"

    def _request(self, method: str, url: str, body: str | None) -> tuple[str, Fetched]:
        for _ in range(self.max_redirects + 1):
            if self.origin and not (url == self.origin or url.startswith(self.origin + "/")):
                raise ConnectionError(f"{url} is not served in browserless mode (only {self.origin}/...)")
            resp = self.fetch(method, url, body, self._cookies_for(url))
            self._store_cookies(url, resp.headers)
            location = next((v for k, v in resp.headers if k.lower() == "location"), None)
            if resp.status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                if resp.status in (301, 302, 303):
                    method, body = "GET", None
                continue
            return url, resp
        raise ConnectionError(f"net::ERR_TOO_MANY_REDIRECTS at {url}")

    def navigate(self, tab: _Tab, method: str, url: str, body: str | None = None, replace: bool = False) -> None:
        """Load `url` in `tab` as a new history entry (or replacing the current one)."""
        final, resp = self._request(method, url, body)
        no_store = any(k.lower() == "cache-control" and "no-store" in v.lower() for k, v in resp.headers)
        entry = _Entry(final, resp.body, no_store, htmltree.parse(resp.body))
        self._leave(tab)
        if replace and tab.entry is not None:
            tab.entries[tab.index] = entry
        else:
            del tab.entries[tab.index + 1:]
            tab.entries.append(entry)
            tab.index += 1
        self._committed(tab)

    def _goto(self, url: str) -> None:
        url = forms.normalize_url(url)
        tab = self._active
        self.navigate(tab, "GET", url, replace=url == tab.url)

    def _leave(self, tab: _Tab) -> None:
        if tab.entry is not None:
            tab.entry.state = forms.save_state(tab.entry.doc)

    def _committed(self, tab: _Tab) -> None:
        if tab is self._active and (not self.visited_urls or self.visited_urls[-1] != tab.url):
            self.visited_urls.append(tab.url)

    def _traverse(self, delta: int) -> bool:
        tab = self._active
        target = tab.index + delta
        if not 0 <= target < len(tab.entries):
            return False
        self._leave(tab)
        old, entry = tab.entry, tab.entries[target]
        tab.index = target
        if old is not None and old.doc is entry.doc:  # a fragment step within one document
            self._committed(tab)
            return True
        if entry.no_store:
            final, resp = self._request("GET", entry.url, None)
            entry.url, entry.body = final, resp.body
        entry.doc = htmltree.parse(entry.body)
        forms.restore_state(entry.doc, entry.state)
        self._committed(tab)
        return True

    def _load_detached(self, url: str) -> Document:
        return htmltree.parse(self._request("GET", forms.normalize_url(url), None)[1].body)

    def follow(self, href: str, target: str = "") -> None:
        """Navigate as a click on a link to `href` does."""
        tab = self._active
        url = urljoin(tab.url, href)
        if target == "_blank":
            self._new_tab()
            self.navigate(self._active, "GET", url)
            return
        base, frag = urldefrag(url)
        if tab.entry is not None and "#" in url and urldefrag(tab.url)[0] == base:  # same document
            del tab.entries[tab.index + 1:]
            tab.entries.append(_Entry(url, tab.entry.body, tab.entry.no_store, tab.entry.doc))
            tab.index += 1
            target_el = tab.doc.get_element_by_id(unquote(frag)) if frag else None
            if target_el is not None:  # Chromium focuses a focusable target, else clears focus
                tab.doc.active = target_el if forms.focusable(target_el) else None
            self._committed(tab)
            return
        self.navigate(tab, "GET", url, replace=url == tab.url)

    # --- cookies ---------------------------------------------------------------------------------

    def _cookies_for(self, url: str) -> dict[str, str]:
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path or "/"
        return {name: value for (h, name), (value, p) in self.cookies.items()
                if (h == host or host.endswith("." + h)) and path.startswith(p)}

    def _store_cookies(self, url: str, headers: list[tuple[str, str]]) -> None:
        host = urlsplit(url).hostname or ""
        for k, v in headers:
            if k.lower() != "set-cookie":
                continue
            name, value, path, expired = forms.parse_set_cookie(v)
            if expired:
                self.cookies.pop((host, name), None)
            else:
                self.cookies[(host, name)] = (value, path)

    # --- actions ---------------------------------------------------------------------------------

    def _element(self, element_id: str) -> Element:
        el = self._active.doc.by_id.get(element_id)
        if el is None:
            raise LookupError(f"no element with id [{element_id}] on this page; use an id from the current observation")
        return el

    def _click(self, element_id: str) -> None:
        forms.click(self, self._active.doc, self._element(element_id))

    def _type(self, element_id: str, text: str, enter: str = "1") -> None:
        doc = self._active.doc
        el = self._element(element_id)
        forms.fill(doc, el, text)
        if enter == "1":
            forms.press_enter(self, doc, el)

    def _hover(self, element_id: str) -> None:
        forms.check_actionable(self._active.doc, self._element(element_id))

    def _press(self, keys: str) -> None:
        forms.press(self, self._active.doc, keys)

    def _scroll(self, direction: str) -> None:
        return None  # the tree shows the whole page: scrolling changes nothing in it

    def _select(self, element_id: str, option: str) -> str | None:
        return forms.select(self._active.doc, self._element(element_id), element_id, option)

    def _go_back(self) -> str | None:
        return None if self._traverse(-1) else "go_back: no previous page in this tab"

    def _go_forward(self) -> str | None:
        return None if self._traverse(1) else "go_forward: no next page in this tab (go_back first)"

    def _new_tab(self) -> None:
        self.tabs.append(_Tab())
        self._active = self.tabs[-1]

    def _tab_focus(self, index: str) -> str | None:
        i = int(index)
        if not 0 <= i < len(self.tabs):
            return f"tab_focus: no tab [{i}]; tabs are 0..{len(self.tabs) - 1}"
        self._active = self.tabs[i]
        return None

    def _close_tab(self) -> None:
        self.tabs.remove(self._active)
        if not self.tabs:
            self.tabs.append(_Tab())
        self._active = self.tabs[-1]

    def _noop(self) -> None:
        return None


_HANDLERS: dict[str, Callable[..., str | None]] = {
    "click": StaticSession._click,
    "type": StaticSession._type,
    "hover": StaticSession._hover,
    "press": StaticSession._press,
    "scroll": StaticSession._scroll,
    "select": StaticSession._select,
    "goto": StaticSession._goto,
    "go_back": StaticSession._go_back,
    "go_forward": StaticSession._go_forward,
    "new_tab": StaticSession._new_tab,
    "tab_focus": StaticSession._tab_focus,
    "close_tab": StaticSession._close_tab,
    "noop": StaticSession._noop,
}


class StaticBrowser:
    """Stands in for the shared Chromium in the arena's browserless mode: sessions render pages in-process."""

    def __init__(self, server: Any) -> None:
        self.server = server
        """An ArenaServer; its `_app` reads `server.db` per request, so `reset()` reaches the sessions too."""

    def new_session(self, **_: Any) -> StaticSession:
        return StaticSession(wsgi_fetch(self.server._app), origin=self.server.base_url)
