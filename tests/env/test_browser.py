"""BrowserSession actions on local pages: every action works or returns an error; the page stays usable."""

from __future__ import annotations

import re

import pytest

from mira.env.actions import parse_action
from mira.env.browser import Timeouts, shared_browser


@pytest.fixture(scope="module")
def session():
    s = shared_browser().new_session(timeouts=Timeouts(noop_ms=10))
    yield s
    s.close()


def act(session, action: str) -> str:
    return session.execute(parse_action(action))


def find(text: str, line: str) -> str:
    m = re.search(r"\[(\d+)\] " + re.escape(line), text)
    assert m, f"{line!r} not in\n{text}"
    return m.group(1)


def test_navigation_history_and_visited_urls(session, page_url) -> None:
    assert session.goto(page_url("form.html")) == ""
    link = find(session.observe().text, "link 'Next page'")
    assert act(session, f"click [{link}]") == ""
    assert session.page.url.endswith("page2.html")
    assert act(session, "go_back") == "" and session.page.url.endswith("form.html")
    assert act(session, "go_forward") == "" and session.page.url.endswith("page2.html")
    assert [u.rsplit("/", 1)[-1] for u in session.visited_urls[-4:]] == ["form.html", "page2.html", "form.html", "page2.html"]
    assert "no next page" in act(session, "go_forward")


def test_tabs(session, page_url) -> None:
    session.goto(page_url("page2.html"))
    link = find(session.observe().text, "link 'Open form in a new tab'")
    assert act(session, f"click [{link}]") == ""
    for _ in range(100):  # the popup opens asynchronously (under load it may miss the next observation)
        if len(session.pages) == 2:
            break
        session.page.wait_for_timeout(50)
    obs = session.observe()
    assert obs.tabs == ("Second page", "Form page") and obs.url.endswith("form.html")
    assert obs.text.startswith("Tabs: [0] Second page | [1] Form page (current)")
    assert act(session, "tab_focus [0]") == "" and session.page.url.endswith("page2.html")
    assert "no tab [7]" in act(session, "tab_focus [7]")
    assert act(session, "new_tab") == "" and session.page.url == "about:blank" and len(session.pages) == 3
    assert act(session, "close_tab") == "" and len(session.pages) == 2
    assert act(session, "close_tab") == "" and act(session, "close_tab") == ""
    assert len(session.pages) == 1  # closing the last tab opens a blank one


def test_keys_scroll_hover_noop(session, page_url) -> None:
    session.goto(page_url("page2.html"))
    text = session.observe().text
    keys = find(text, "textbox 'Keys'")
    assert act(session, f"type [{keys}] [ab] [1]") == ""
    assert act(session, "press [shift+c]") == ""
    assert session.page.inner_text("#log").split()[-5:] == ["a", "b", "Enter", "Shift", "c"]
    assert act(session, "scroll [down]") == "" and session.page.evaluate("window.scrollY") > 0
    assert act(session, "scroll [up]") == "" and session.page.evaluate("window.scrollY") == 0
    bottom, add = find(text, "button 'Bottom'"), find(text, "button 'Add a button'")
    assert act(session, f"hover [{bottom}]") == ""
    assert act(session, f"click [{add}]") == ""
    assert act(session, "noop") == ""
    assert "button 'Added'" in session.observe().text


@pytest.mark.parametrize(("action", "error"), [
    ("click [999]", "no element with id [999]"),
    ("type [1] [x]", "type:"),
    ("select [2] [x]", "not a drop-down"),
    ("goto [not a url]", "invalid URL"),
    ("goto [http://127.0.0.1:9/]", "ERR_"),
    ("press [NoSuchKey]", "press:"),
])
def test_errors_come_back_as_strings(session, page_url, action: str, error: str) -> None:
    session.goto(page_url("form.html"))
    session.observe()  # ids are assigned by observing
    assert error in act(session, action)
    session.goto(page_url("form.html"))
    assert "[9] textbox 'Search'" in session.observe().text  # the page is still usable


def test_select_lists_the_options(session, page_url) -> None:
    session.goto(page_url("form.html"))
    session.observe()
    assert "options: 'Small', 'Large'" in act(session, "select [14] [Medium]")


def test_screenshots(page_url) -> None:
    s = shared_browser().new_session(viewport=(400, 300), screenshots=True)
    try:
        s.goto(page_url("form.html"))
        shot = s.observe().screenshot
        assert shot is not None and shot.startswith(b"\x89PNG")
    finally:
        s.close()


def test_one_shared_browser_per_thread() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        other = pool.submit(shared_browser).result()
    assert shared_browser() is shared_browser() and other is not shared_browser()
    assert not other.running  # Chromium starts with the first session, not with the Browser


def test_click_waits_for_a_slow_navigation_it_started() -> None:
    """A link whose response is slow: the next observation must show the new page, not the old one."""
    import threading
    import time as _time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mira.env.actions import parse_action
    from mira.env.browser import shared_browser

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/slow":
                _time.sleep(0.8)
                body = b"<html><body><h1>Arrived</h1></body></html>"
            else:
                body = b'<html><body><a href="/slow">Go</a></body></html>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    session = shared_browser().new_session()
    try:
        assert session.goto(f"http://127.0.0.1:{httpd.server_address[1]}/") == ""
        obs = session.observe()
        link = next(line for line in obs.text.splitlines() if "link 'Go'" in line).strip()
        assert session.execute(parse_action(f"click {link.split()[0]}")) == ""
        after = session.observe()
        assert after.url.endswith("/slow") and "Arrived" in after.text
    finally:
        session.close()
        httpd.shutdown()
        httpd.server_close()


def test_kept_open_spares_a_launch_per_env_and_stops_after() -> None:
    from mira.env.browser import shared_browser

    browser = shared_browser()  # one Playwright per thread: use the shared one, as envs do
    with browser.kept_open():
        browser.new_session().close()
        assert browser.running, "held: Chromium stays up between sessions"
        browser.new_session().close()
        assert browser.running
    # released: Chromium stops unless some other session (another test's) is still open
    assert browser.running == bool(browser._sessions)
