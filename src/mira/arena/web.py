"""A tiny WSGI framework for the arena's server-rendered sites: requests, routes, responses, templates.

Plain forms and links only (no client-side scripts), so every page behaves the same in a real browser
and in the browserless renderer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2

MAX_BODY = 1 << 20
"""Largest request body accepted (1 MiB): a real site refuses huge posts instead of crashing."""


class HTTPError(Exception):
    """Raised by a handler to answer with an error page (400 bad input, 404 not found, 403, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    path: str
    """Path inside the site (after the site's prefix), always starting with '/'."""
    query: dict[str, str]
    form: dict[str, str]
    cookies: dict[str, str]
    site_prefix: str = ""
    """The site's URL prefix, e.g. '/shop'; `url_for` builds links with it."""
    db: Any = None
    user: dict[str, Any] | None = None
    """The logged-in account of this site, or None."""
    params: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str, **query: Any) -> str:
        q = {k: v for k, v in query.items() if v not in (None, "")}
        return self.site_prefix + path + (("?" + urlencode(q)) if q else "")

    def arg(self, name: str, default: str = "") -> str:
        """A query or form field, stripped; '' when absent."""
        value = self.form[name] if name in self.form else self.query.get(name, default)
        return (value or default).strip()

    def int_arg(self, name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
        """An integer field clamped to [lo, hi]; HTTPError 400 for non-numbers."""
        raw = self.arg(name)
        if not raw:
            return default
        if not re.fullmatch(r"-?\d{1,12}", raw):
            raise HTTPError(400, f"{name} must be a whole number, got {raw[:40]!r}")
        return max(lo, min(hi, int(raw)))


@dataclass
class Response:
    body: str = ""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls("", 303, [("Location", location)])

    def set_cookie(self, name: str, value: str, path: str = "/") -> None:
        self.headers.append(("Set-Cookie", f"{name}={value}; Path={path}; SameSite=Lax"))


Handler = Callable[[Request], Response | str]

_CONVERTERS = {"int": (r"\d{1,9}", int), "str": (r"[^/]+", str), "path": (r".+", str)}


class Router:
    """Routes `METHOD /path/<int:id>/<slug>` patterns to handlers, in registration order."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], dict[str, Callable[[str], Any]], Handler]] = []

    def route(self, pattern: str, methods: Iterable[str] = ("GET",)) -> Callable[[Handler], Handler]:
        regex, convs = _compile(pattern)

        def deco(fn: Handler) -> Handler:
            for m in methods:
                self.routes.append((m, regex, convs, fn))
            return fn

        return deco

    def dispatch(self, req: Request) -> Response:
        allowed = False
        for method, regex, convs, fn in self.routes:
            m = regex.fullmatch(req.path)
            if not m:
                continue
            if method != req.method:
                allowed = True
                continue
            req.params = {k: convs[k](v) for k, v in m.groupdict().items()}
            out = fn(req)
            return out if isinstance(out, Response) else Response(out)
        if allowed:
            raise HTTPError(405, f"{req.method} is not allowed here")
        raise HTTPError(404, f"no page at {req.site_prefix}{req.path}")


def _compile(pattern: str) -> tuple[re.Pattern[str], dict[str, Callable[[str], Any]]]:
    convs: dict[str, Callable[[str], Any]] = {}

    def repl(m: re.Match[str]) -> str:
        kind, name = (m.group(1) or "str"), m.group(2)
        rx, conv = _CONVERTERS[kind]
        convs[name] = conv
        return f"(?P<{name}>{rx})"

    return re.compile(re.sub(r"<(?:(\w+):)?(\w+)>", repl, pattern)), convs


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("mira.arena", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["money"] = lambda v: f"${float(v):,.2f}"


def render(req: Request, template: str, **ctx: Any) -> Response:
    """Render a Jinja2 template of the arena with the request (for links and the user) in its context."""
    return Response(_env.get_template(template).render(req=req, **ctx))


def parse_body(environ: dict[str, Any]) -> dict[str, str]:
    """Form fields of a urlencoded POST body (first value of each); HTTPError 413 for huge bodies."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise HTTPError(413, f"request body too large ({length} bytes; at most {MAX_BODY})")
    raw = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def parse_cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        k, sep, v = part.strip().partition("=")
        if sep:
            out[k] = v
    return out


def error_page(status: int, message: str) -> Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = (f"<!doctype html><html><head><title>{status} {phrase}</title></head><body><main>"
            f"<h1>{status} {phrase}</h1><p>{html.escape(message)}</p><a href=\"/\">Home</a></main></body></html>")
    return Response(body, status)
