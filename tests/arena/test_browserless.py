"""Parity: the browserless StaticSession shows exactly what real Chromium shows, action after action."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browserless_parity import Pair

from mira.arena.browserless import StaticSession, http_fetch

DATA = Path(__file__).resolve().parents[1] / "data" / "htmltree"


class _Fixture(BaseHTTPRequestHandler):
    """Fixture pages; /echo shows the request's fields; /login sets a cookie; /see-other redirects."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: str = "", headers: tuple[tuple[str, str], ...] = ()) -> None:
        raw = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        self._serve("GET", "")

    def do_POST(self) -> None:
        self._serve("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())

    def _serve(self, method: str, body: str) -> None:
        url = urlsplit(self.path)
        name = url.path.strip("/")
        if url.path == "/see-other":
            self._send(303, "", (("Location", "/echo?redirected=1"),))
        elif url.path == "/login":
            self._send(303, "", (("Location", "/echo?in=1"), ("Set-Cookie", "sid=abc; Path=/")))
        elif url.path == "/logout":
            self._send(303, "", (("Location", "/echo?out=1"), ("Set-Cookie", "sid=; Path=/; Max-Age=0")))
        elif url.path == "/echo":
            fields = parse_qsl(url.query, keep_blank_values=True) + parse_qsl(body, keep_blank_values=True)
            rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in fields)
            page = (f"<!doctype html><title>Echo {method}</title><h1>{method} {html.escape(self.path)}</h1>"
                    f"<p>cookie: {html.escape(self.headers.get('Cookie') or '-')}</p><table>{rows}</table>"
                    "<a href=\"/forms.html\">Back to forms</a> <a href=\"/echo\">Echo</a> <a href=\"/login\">Log in</a>"
                    " <a href=\"/logout\">Log out</a> <a href=\"/see-other\">Redirect</a> <a href=\"/basic.html\">Basic</a>"
                    " <a href=\"/echo\" target=\"_blank\">Echo in a new tab</a>")
            self._send(200, page)
        elif (DATA / name).is_file() and name.endswith(".html"):
            self._send(200, (DATA / name).read_text())
        else:
            self._send(404, f"<!doctype html><title>404</title><h1>No page {html.escape(url.path)}</h1>")


@pytest.fixture(scope="module")
def fixture_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fixture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def pair(fixture_url: str) -> Iterator[Pair]:
    from mira.env.browser import shared_browser

    real = shared_browser().new_session()
    static = StaticSession(http_fetch(), origin=fixture_url)
    yield Pair(real, static)
    real.close()
    static.close()


def test_fixture_pages_render_identically(pair: Pair, fixture_url: str) -> None:
    for page in ("basic.html", "forms.html", "echo?a=1&b=%C3%A9+x", "missing"):
        pair.goto(f"{fixture_url}/{page}")
        # program_html's page reader: innerText as Chromium computes it
        assert pair.static.run_js("last", "") == pair.real.page.evaluate("document.body.innerText")
        for sel in ("h1", "table", "form", "p", "ul li", "main > p", "#anchor", ".ghost"):
            real = pair.real.page.evaluate(f"(document.querySelector('{sel}') || {{}}).outerText")
            if real is not None:
                assert pair.static.run_js("last", f"document.querySelector('{sel}').outerText") == real, sel


def test_links_history_tabs_and_cookies(pair: Pair, fixture_url: str) -> None:
    pair.goto(f"{fixture_url}/basic.html")
    pair.act_on("click", "link", "Forms & fields")
    pair.act("go_back")
    pair.act("go_forward")
    pair.act("go_forward")  # nothing ahead: both report an error
    pair.act_on("click", "link", "Echo link")
    pair.act_on("click", "link", "Log in")  # Set-Cookie + 303
    pair.act_on("click", "link", "Redirect")
    pair.act_on("click", "link", "Echo")
    pair.act_on("click", "link", "Echo")  # the same URL again: replaces the entry
    pair.act("go_back")
    pair.act_on("click", "link", "Log out")
    pair.act_on("click", "link", "Basic")
    pair.act_on("click", "link", "fragment link")
    pair.act("go_back")
    pair.act_on("click", "link", "Label one Label two")  # a 404 page
    pair.act("new_tab")
    pair.act(f"goto [{fixture_url}/echo?tab=2]")
    pair.act("tab_focus [0]")
    pair.act("tab_focus [5]")
    pair.act("close_tab")
    pair.act("close_tab")
    pair.act("hover [3]")
    pair.act("scroll [down]")
    pair.act("click [9999]")


def test_forms_typing_select_checkbox_submit(pair: Pair, fixture_url: str) -> None:
    pair.goto(f"{fixture_url}/forms.html")
    pair.act_on("type", "searchbox", "Search products", "blue mat ~*", "0")
    pair.act_on("select", "combobox", "Sort by", "Newest")
    pair.act_on("select", "combobox", "Sort by", "No such option")
    pair.act_on("click", "StaticText", "I agree")  # the label toggles the checkbox
    pair.act_on("click", "checkbox", "Newsletter")
    pair.act_on("click", "radio", "Small")
    pair.act_on("type", "textbox", "Name", "Bob", "0")
    pair.act_on("type", "textbox", "Email", " x@y.z ", "0")
    pair.act_on("type", "checkbox", "Newsletter", "x", "0")  # cannot fill a checkbox
    pair.act_on("click", "heading", "Forms")  # focus leaves the field
    pair.act_on("click", "button", "Search")  # GET submit with the button's name=value
    pair.act("go_back")  # form state is restored
    pair.act_on("click", "button", "Delete")  # POST with the clicked submit's value
    pair.act("go_back")
    pair.act_on("type", "textbox", "Only field", "solo value")  # Enter submits a one-field form
    pair.act("go_back")
    pair.act_on("type", "textbox", "Two A", "a", "1")  # two fields, no button: Enter does nothing
    pair.act_on("type", "searchbox", "Search products", "enter submits")
    pair.act("go_back")
    pair.act_on("click", "textbox", "Name")
    pair.act("press [Enter]")


def test_run_js_reads_text(fixture_url: str) -> None:
    static = StaticSession(http_fetch(), origin=fixture_url)
    assert static.goto(f"{fixture_url}/echo?color=blue") == ""
    assert "color\tblue" in static.run_js("last", "")
    assert static.run_js("last", "document.querySelector('h1').outerText") == "GET /echo?color=blue"
    with pytest.raises(LookupError):
        static.run_js("last", "document.querySelector('#nope').outerText")
    assert static.goto("http://10.1.2.3/") != ""  # outside the origin: an error, not a crash
