"""Shared pieces of the shop and shop-admin task templates: eval configs, milestone checks, oracle steps."""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

from mira.arena.oracle import OracleError, click, nodes, seek, select, type_into
from mira.types import Observation

Steps = Generator[str, Observation, Observation]
"""Oracle steps that hand back the observation they end on (use with `yield from`)."""

SHOP, ADMIN = "__SHOP__", "__SHOP_ADMIN__"


# --- evaluator configs (WebArena format) -----------------------------------------------------------

def info_eval(answers: list[str]) -> dict[str, Any]:
    """string_match: every answer must be included (each may hold ' |OR| ' alternatives)."""
    return {"eval_types": ["string_match"], "reference_answers": {"must_include": answers},
            "reference_url": "", "program_html": []}


def nav_eval(url: str) -> dict[str, Any]:
    return {"eval_types": ["url_match"], "reference_answers": None, "reference_url": url,
            "url_note": "GOLD in PRED", "program_html": []}


def html_eval(*targets: tuple[str, str, list[str]]) -> dict[str, Any]:
    """program_html: (url or 'last', element id or '' for the whole page, strings that must be included)."""
    return {"eval_types": ["program_html"], "reference_answers": None, "reference_url": "",
            "program_html": [{"url": url, "locator": f"document.querySelector('#{el}').outerText" if el else "",
                              "required_contents": {"must_include": must}} for url, el, must in targets]}


def money(v: float) -> str:
    """A reference amount: '$1,234.50' or '1234.50' are both accepted."""
    with_comma, plain = f"{v:,.2f}", f"{v:.2f}"
    return with_comma if with_comma == plain else f"{with_comma} |OR| {plain}"


# --- milestones ------------------------------------------------------------------------------------

def ms(description: str, check: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "check": check}


def url(pattern: str) -> dict[str, Any]:
    return {"kind": "url", "pattern": pattern}


def db(sql: str, *params: Any) -> dict[str, Any]:
    return {"kind": "db", "sql": sql, "params": list(params)}


def answer() -> dict[str, Any]:
    return {"kind": "answer"}


def page_of(path: str) -> dict[str, Any]:
    """A url check for exactly this path (any query)."""
    return url("^" + re.escape(path) + r"(\?|$)")


# --- oracle steps ----------------------------------------------------------------------------------

def table_rows(obs: Observation) -> list[list[str]]:
    """The rows of the page's tables as lists of cell texts (header rows included)."""
    rows: list[list[str]] = []
    for n in nodes(obs):
        if n.role == "row":
            rows.append([])
        elif n.role in ("cell", "columnheader") and rows:
            rows[-1].append(n.name)
    return rows


def row_with(obs: Observation, text: str, col: int | None = None) -> list[str]:
    """The first table row with a cell equal to `text` (in column `col` if given)."""
    for r in table_rows(obs):
        if (col is None and text in r) or (col is not None and len(r) > col and r[col] == text):
            return r
    raise OracleError(f"no table row with {text!r} on {obs.url}:\n{obs.text[:3000]}")


def first_link_in_list(obs: Observation, list_name: str) -> str:
    """The name of the first link after the list (ul) named `list_name`."""
    inside = False
    for n in nodes(obs):
        inside = inside or (n.role == "list" and n.name == list_name)
        if inside and n.role == "link":
            return n.name
    raise OracleError(f"list {list_name!r} has no link on {obs.url}:\n{obs.text[:3000]}")


def submit(obs: Observation, box: str, text: str, expect: str) -> Steps:
    """Type into a form's text box and press Enter; wait (noop) until the new page's URL holds `expect`."""
    obs = yield type_into(obs, "textbox", box, text, enter=True)
    for _ in range(3):  # a loaded machine may observe before the navigation landed
        if expect in obs.url:
            break
        obs = yield "noop"
    return obs


def open_product(obs: Observation, name: str) -> Steps:
    """Search the shop for a product by name and open its page (2 steps)."""
    obs = yield from submit(obs, "Search", name, "/search?")
    obs = yield click(obs, "link", name)
    return obs


def my_orders(obs: Observation, oid: int) -> Steps:
    """From any shop page: My Orders, page through to the order, open it."""
    obs = yield click(obs, "link", "My Orders")
    obs, _ = yield from seek(obs, "link", f"Order #{oid}")
    obs = yield click(obs, "link", f"Order #{oid}")
    return obs


def add_to_cart(obs: Observation, product: str, size: str = "", color: str = "", qty: int = 1) -> Steps:
    """Open the product, choose its options and quantity, add it to the cart."""
    obs = yield from open_product(obs, product)
    if size:
        obs = yield select(obs, "combobox", "Size", size)
    if color:
        obs = yield select(obs, "combobox", "Color", color)
    if qty != 1:
        obs = yield type_into(obs, "textbox", "Qty", str(qty))
    obs = yield click(obs, "button", "Add to Cart")
    return obs


def option_named(obs: Observation, prefix: str) -> str:
    """The full label of the first option starting with `prefix` (e.g. 'Express' -> 'Express (2 days) - $15.00')."""
    for n in nodes(obs):
        if n.role == "option" and n.name.startswith(prefix):
            return n.name
    raise OracleError(f"no option starting with {prefix!r} on {obs.url}")


def fill_checkout(obs: Observation, name: str, address: str, city: str, zip_code: str, shipping: str) -> Steps:
    """From the cart page: checkout, fill the shipping form, place the order."""
    obs = yield click(obs, "link", "Proceed to Checkout")
    for box, value in (("Full name", name), ("Street address", address), ("City", city), ("ZIP code", zip_code)):
        obs = yield type_into(obs, "textbox", box, value)
    obs = yield select(obs, "combobox", "Shipping method", option_named(obs, shipping))
    obs = yield click(obs, "button", "Place Order")
    return obs


# --- instance picking (build time: reads the database) ---------------------------------------------

ME = 1
"""The task account's customer id (emma.lopez); instances and builds read it, never the oracle."""


def pick_products(db_: Any, rng: Any, n: int, where: str = "") -> list[Any]:
    """n distinct enabled products (optionally filtered by an SQL condition starting with AND)."""
    rows = db_.query(f"SELECT * FROM shop_products WHERE status = 'enabled' {where} ORDER BY id")
    return rng.sample(rows, min(n, len(rows)))


def cheapest(db_: Any, cid: int) -> str:
    return str(db_.scalar("SELECT name FROM shop_products WHERE category_id = ? AND status = 'enabled' "
                          "ORDER BY price, name LIMIT 1", (cid,)))
