"""Parity on the arena itself: every page type of every site, and a scripted episode of every action kind."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browserless_parity import Pair

from mira.arena.app import login_session, session_cookie
from mira.arena.browserless import StaticSession, wsgi_fetch
from mira.arena.db import Database
from mira.arena.server import ArenaServer
from mira.arena.sites import SITES
from mira.env.htmltree import Element


def _login(db: Database, session: object, base: str) -> None:
    cookies = []
    for name, site in SITES.items():
        uid = site.DEFAULT_USER_ID
        token = login_session(db, name, uid, token=f"parity-{name}")
        cookies.append({"name": session_cookie(name), "value": token, "url": base})
    session.add_cookies(cookies)  # type: ignore[attr-defined]


@pytest.fixture()
def pair() -> Iterator[Pair]:
    from mira.env.browser import shared_browser

    with ArenaServer() as real_server, ArenaServer() as static_server:
        real = shared_browser().new_session()
        static = StaticSession(wsgi_fetch(static_server._app), origin=static_server.base_url)
        _login(real_server.db, real, real_server.base_url)
        _login(static_server.db, static, static_server.base_url)
        p = Pair(real, static, bases=(real_server.base_url, static_server.base_url))
        p.dbs = (real_server.db, static_server.db)  # type: ignore[attr-defined]
        yield p
        real.close()
        static.close()


def _same_page_text(pair: Pair) -> None:
    """program_html's readers: the page's innerText and querySelector(...).outerText agree with Chromium."""
    assert pair.static.run_js("last", "") == pair.real.page.evaluate("document.body.innerText")
    for sel in ("h1", "main", "nav", "table", "form", "main p"):
        real = pair.real.page.evaluate(f"(document.querySelector('{sel}') || {{}}).outerText")
        locator = f"document.querySelector('{sel}').outerText"
        if real is None:
            with pytest.raises(LookupError):
                pair.static.run_js("last", locator)
        else:
            assert pair.static.run_js("last", locator) == real, sel


def _kind(path: str) -> str:
    """A page type: the site route the path matches (ids and names generalised)."""
    for name, site in SITES.items():
        if path == site.PREFIX or path.startswith(site.PREFIX + "/"):
            inner = path[len(site.PREFIX):] or "/"
            for _, regex, _, _ in site.router.routes:
                if regex.fullmatch(inner):
                    return f"{name}:{regex.pattern}"
    return re.sub(r"/\d+", "/N", path)


def test_every_page_type_renders_identically(pair: Pair) -> None:
    seen: dict[str, int] = {}
    queue = ["/"] + [site.PREFIX + "/" for site in SITES.values()]
    visited = 0
    while queue and visited < 60:
        path = queue.pop(0)
        key = _kind(urlsplit(path).path)
        if seen.get(key, 0) >= 1 or "logout" in path:
            continue
        seen[key] = seen.get(key, 0) + 1
        pair.goto("BASE" + path)
        _same_page_text(pair)
        visited += 1
        doc = pair.static.page.doc
        base = pair.bases[1]
        for el in doc.elements:
            if isinstance(el, Element) and el.tag == "a" and "href" in el.attrs:
                href = el.attrs["href"]
                href = href[len(base):] if href.startswith(base) else href
                if href.startswith("/") and _kind(urlsplit(href).path) not in seen:
                    queue.append(href)
    for error_page in ("/nosuchsite", "/shop/nope", "/shop/search?page=abc", "/shop/product/999999"):
        pair.goto("BASE" + error_page)  # 404/400 pages render like any page
        _same_page_text(pair)
    assert visited >= 10, f"only {visited} page types: {sorted(seen)}"
    print(f"{visited} page types identical: {sorted(seen)}")


def _dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    tables = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: sorted(map(tuple, db.query(f"SELECT * FROM {t}")), key=repr) for t in tables if t != "sessions"}


def test_scripted_episode_every_action_kind_same_db(pair: Pair) -> None:
    pair.goto("BASE/shop/")
    pair.act_on("type", "textbox", "Search", "backpack", "0")
    pair.act_on("select", "combobox", "Sort by", "Price: low to high")
    pair.act_on("click", "button", "Search")  # GET form
    pair.act("go_back")
    pair.act("go_forward")
    pair.goto("BASE/shop/product/1")
    pair.act_on("select", "combobox", "Size", "Choose a size")
    pair.act_on("type", "textbox", "Qty", "2", "0")
    pair.act_on("click", "button", "Add to Cart")  # POST, redirect, DB write
    pair.act_on("click", "link", "My Cart")
    pair.act("hover [4]")
    pair.act("scroll [down]")
    pair.act("new_tab")
    pair.act("goto [BASE/forum/f/books/1]")
    pair.act_on("click", "button", "Upvote post")
    pair.act_on("type", "textbox", "Comment", "Parity says hello", "0")
    pair.act_on("click", "button", "Post comment")
    pair.act("tab_focus [0]")
    pair.act("close_tab")
    pair.act_on("type", "textbox", "Search posts", "garden")  # Enter submits
    pair.act("go_back")
    pair.act("press [Enter]")
    real_db, static_db = pair.dbs  # type: ignore[attr-defined]
    after = _dump(static_db)
    assert after == _dump(real_db)
    assert "Parity says hello" in repr(after), "the comment was not written: the episode did not exercise the DB"
