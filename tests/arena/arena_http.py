"""A tiny HTTP client for arena site tests: GET/POST against an ArenaServer, with a site's login cookie."""

from __future__ import annotations

import http.client
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from mira.arena.app import login_session, session_cookie
from mira.arena.server import ArenaServer


class Reply(NamedTuple):
    status: int
    body: str
    location: str


class Client:
    """Requests to one server as one site's user (no redirects followed: tests look at them)."""

    def __init__(self, srv: ArenaServer, site: str, user_id: int | None) -> None:
        self.srv = srv
        self.cookie = "" if user_id is None else f"{session_cookie(site)}={login_session(srv.db, site, user_id)}"

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        u = urlsplit(self.srv.base_url)
        conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=10)
        body = urlencode(form or {})
        headers = {"Cookie": self.cookie}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body if method == "POST" else None, headers=headers)
        r = conn.getresponse()
        out = Reply(r.status, r.read().decode(), r.getheader("Location") or "")
        conn.close()
        return out

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self.request("POST", path, form)
