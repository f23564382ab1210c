"""The arena's WSGI application: a portal page at '/' and each site under its prefix, over one Database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from mira.arena.db import Database
from mira.arena.sites import SITES
from mira.arena.web import HTTPError, Request, Response, error_page, parse_body, parse_cookies, render

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def session_cookie(site: str) -> str:
    """The cookie that holds a site's login session (one per site, as WebArena's stored sessions)."""
    return f"mira_{site}"


def current_user(db: Database, site: str, cookies: dict[str, str]) -> dict[str, Any] | None:
    token = cookies.get(session_cookie(site))
    if not token:
        return None
    row = db.one("SELECT user_id FROM sessions WHERE token = ? AND site = ?", (token, site))
    return None if row is None else SITES[site].load_user(db, row["user_id"])


def login_session(db: Database, site: str, user_id: int, token: str | None = None) -> str:
    """Create a session for `user_id` on `site` and return its token (the cookie value)."""
    token = token or f"{site}-{user_id}-{db.scalar('SELECT COUNT(*) FROM sessions') + 1}"
    db.execute("INSERT OR REPLACE INTO sessions (token, site, user_id) VALUES (?, ?, ?)", (token, site, user_id))
    return token


def require_user(req: Request) -> dict[str, Any]:
    """The logged-in user, or a redirect to the site's login page."""
    if req.user is None:
        raise Redirect(req.url("/login", next=req.site_prefix + req.path))
    return req.user


class Redirect(HTTPError):
    def __init__(self, location: str) -> None:
        super().__init__(303, location)
        self.location = location


def handle(db: Database, method: str, path: str, query: str, form: dict[str, str], cookies: dict[str, str]) -> Response:
    """Serve one request; also used in-process by the browserless renderer."""
    if path in ("", "/"):
        return render(Request(method, "/", {}, {}, cookies, db=db), "portal.html", sites=SITES)
    site_name, site = _site_for(path)
    req = Request(
        method=method,
        path=path[len(site.PREFIX):] or "/",
        query={k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()},
        form=form,
        cookies=cookies,
        site_prefix=site.PREFIX,
        db=db,
    )
    req.user = current_user(db, site_name, cookies)
    try:
        return site.router.dispatch(req)
    except Redirect as r:
        return Response.redirect(r.location)


def _site_for(path: str) -> tuple[str, Any]:
    for name, site in SITES.items():
        if path == site.PREFIX or path.startswith(site.PREFIX + "/"):
            return name, site
    raise HTTPError(404, f"no site at {path}")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def make_app(db: Database) -> WSGIApp:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            form = parse_body(environ) if environ["REQUEST_METHOD"] == "POST" else {}
            resp = handle(db, environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""),
                          form, parse_cookies(environ.get("HTTP_COOKIE", "")))
        except HTTPError as e:
            resp = error_page(e.status, e.message)
        except Exception:  # a bug in a page must not kill the server: answer 500 and log it
            log.exception("arena page failed: %s", environ.get("PATH_INFO"))
            resp = error_page(500, "internal error")
        body = resp.body.encode()
        # no-store: going back shows the current state (a cart count after an add), as a shop shows it
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store"), *resp.headers]
        start_response(f"{resp.status} {_phrase(resp.status)}", headers)
        return [body]

    return app
