"""Shared pieces of the forum, code and cross-site task templates: eval configs, milestones, table reading."""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

from mira.arena.oracle import OracleError, click, type_into
from mira.types import Observation

Gen = Generator[str, Observation, Any]


def string_eval(answer: str | int, exact: bool = True) -> dict[str, Any]:
    """WebArena's string_match: exact_match, or must_include of the one reference."""
    ref = {"exact_match": str(answer)} if exact else {"must_include": [str(answer)]}
    return {"eval_types": ["string_match"], "reference_answers": ref, "reference_url": "", "program_html": [],
            "string_note": "", "reference_answer_raw_annotation": str(answer)}


def url_eval(url: str) -> dict[str, Any]:
    return {"eval_types": ["url_match"], "reference_answers": None, "reference_url": url, "program_html": [],
            "url_note": "GOLD in PRED"}


def html_check(url: str, must_include: list[str], element: str = "") -> dict[str, Any]:
    """One program_html entry; `element` is a CSS id selector ('' = the whole page's text)."""
    locator = f"document.querySelector('{element}').outerText" if element else ""
    return {"url": url, "locator": locator, "required_contents": {"must_include": must_include}}


def html_eval(*checks: dict[str, Any]) -> dict[str, Any]:
    return {"eval_types": ["program_html"], "reference_answers": None, "reference_url": "", "program_html": list(checks)}


def ms(description: str, check: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "check": check}


def url_ms(description: str, pattern: str) -> dict[str, Any]:
    return ms(description, {"kind": "url", "pattern": pattern})


def db_ms(description: str, sql: str, *params: Any) -> dict[str, Any]:
    return ms(description, {"kind": "db", "sql": sql, "params": list(params)})


def answer_ms(description: str = "Answer with the information found") -> dict[str, Any]:
    return ms(description, {"kind": "answer"})


def rx(text: str) -> str:
    """A regex matching `text` literally inside a URL (as the browser encodes it)."""
    from urllib.parse import quote

    return re.escape(quote(text, safe="/"))


def table_rows(obs: Observation) -> list[list[str]]:
    """The cell names of each data row of the page's tables, in order (header rows left out)."""
    out: list[list[str]] = []
    for line in obs.text.splitlines():
        m = _NODE.match(line)
        if m is None:
            continue
        if m["role"] == "row":
            out.append([])
        elif m["role"] == "cell" and out:
            out[-1].append(m["name"] or "")
    return [r for r in out if r]


_NODE = re.compile(r"^\s*\[[^\]]+\]\s+(?P<role>\S+)(?:\s+'(?P<name>.*)')?\s*$")
"""A node line; the name may hold quotes (the observation does not escape them) and may be absent (rows)."""


def row_with(obs: Observation, col: int, value: str) -> list[str]:
    for r in table_rows(obs):
        if len(r) > col and r[col] == value:
            return r
    raise OracleError(f"no table row with {value!r} in column {col} on {obs.url}")


def go(obs: Observation, role: str, name: str, **kw: Any) -> Gen:
    """Click a link or submit button that loads a page; if the page has not changed yet, let it settle (noop)."""
    return (yield from _settle(obs, click(obs, role, name, **kw)))


def go_type(obs: Observation, role: str, name: str, text: str) -> Gen:
    """Type into a field and press Enter to submit its form (a page load), as `go`."""
    return (yield from _settle(obs, type_into(obs, role, name, text, enter=True)))


def _settle(obs: Observation, action: str) -> Gen:
    before = obs.url
    new = yield action
    for _ in range(3):
        if new.url != before:
            break
        new = yield "noop"
    return new


def search_forum(obs: Observation, title: str) -> Gen:
    """From any forum page: search for a post by its title and open it."""
    obs = yield from go_type(obs, "textbox", "Search posts", title)
    obs = yield from go(obs, "link", title)
    return obs


def site_goto(obs: Observation, path: str) -> str:
    """`goto` a path of the arena (e.g. '/code/'), on the server the current page came from."""
    m = re.match(r"https?://[^/]+", obs.url)
    if not m:
        raise OracleError(f"cannot tell the arena's address from the page url {obs.url!r}")
    return f"goto [{m.group(0)}{path}]"
