"""Task templates of the `shop` site (ids 100-199): information, navigation and state-changing tasks.

Each template picks instances from the seeded data, computes its reference answers and ground-truth
milestones from the database at build time, and solves itself from observations only.
"""

from __future__ import annotations

import random
from typing import Any

from mira.arena.db import Database
from mira.arena.oracle import click, read, select, type_into
from mira.arena.tasks import OracleGen, TaskSpec, TaskTemplate, register
from mira.arena.tasks._shopkit import (
    ME,
    SHOP,
    answer,
    cheapest,
    db,
    first_link_in_list,
    html_eval,
    info_eval,
    money,
    ms,
    my_orders,
    nav_eval,
    open_product,
    page_of,
    pick_products,
    submit,
    table_rows,
    url,
)
from mira.types import Observation


def _product(db_: Database, name: str) -> Any:
    return db_.one("SELECT * FROM shop_products WHERE name = ?", (name,))


def _open_ms(db_: Database, name: str) -> dict[str, Any]:
    return ms(f"Open the product page of {name}", page_of(f"/shop/product/{_product(db_, name)['id']}"))


def _search_ms(name: str) -> dict[str, Any]:
    return ms(f"Search the shop for {name}", url(r"^/shop/search\?(.*&)?q="))


# --- 101-103: facts on a product page --------------------------------------------------------------

def _product_fact(tid: int, what: str, pattern: str, value: Any, where: str = "") -> TaskTemplate:
    def instances(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
        return [{"product": p["name"]} for p in pick_products(db_, rng, 12, where)]

    def build(inst: dict[str, Any], db_: Database) -> TaskSpec:
        p = _product(db_, inst["product"])
        return TaskSpec(f"{SHOP}/", info_eval([value(db_, p)]), [
            _search_ms(p["name"]), _open_ms(db_, p["name"]), ms(f"Answer with the {what}", answer())])

    def solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
        obs = yield from open_product(obs, inst["product"])
        yield f"stop [{read(obs, pattern)}]"

    return TaskTemplate(tid, ("shop",), f"What is the {what} of {{{{product}}}}?", "info", instances, build, solve)


def _n_reviews(db_: Database, p: Any) -> str:
    return str(db_.scalar("SELECT COUNT(*) FROM shop_reviews WHERE product_id = ? AND status = 'approved'", (p["id"],)))


register(_product_fact(101, "price", r"Price: (\$[\d,]+\.\d\d)", lambda d, p: money(p["price"])))
register(_product_fact(102, "number of customer reviews", r"Customer Reviews \((\d+)\)", _n_reviews,
                       "AND id IN (SELECT product_id FROM shop_reviews WHERE status = 'approved')"))
register(_product_fact(103, "SKU", r"SKU: ([A-Z]{3}-\d{4})", lambda d, p: p["sku"]))


# --- 104, 105, 110, 115, 118: my orders ------------------------------------------------------------

def _orders_inst(where: str = "") -> Any:
    def instances(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
        rows = db_.query(f"SELECT id FROM shop_orders WHERE customer_id = ? {where} ORDER BY id", (ME,))
        return [{"order": r["id"]} for r in rng.sample(rows, min(12, len(rows)))]
    return instances


def _order_ms(oid: int) -> list[dict[str, Any]]:
    return [ms("Open My Orders", page_of("/shop/orders")), ms(f"Open the page of order #{oid}", page_of(f"/shop/order/{oid}"))]


def _order_fact(tid: int, intent: str, column: str, pattern: str, fmt: Any, where: str = "") -> TaskTemplate:
    def build(inst: dict[str, Any], db_: Database) -> TaskSpec:
        value = db_.scalar(f"SELECT {column} FROM shop_orders WHERE id = ?", (inst["order"],))
        return TaskSpec(f"{SHOP}/", info_eval([fmt(value)]), [*_order_ms(inst["order"]), ms("Answer", answer())])

    def solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
        obs = yield from my_orders(obs, inst["order"])
        yield f"stop [{read(obs, pattern)}]"

    return TaskTemplate(tid, ("shop",), intent, "info", _orders_inst(where), build, solve)


register(_order_fact(104, "What is the grand total of my order #{{order}}?", "total",
                     r"Grand total: (\$[\d,]+\.\d\d)", money))
register(_order_fact(105, "What is the status of my order #{{order}}?", "status", r"Status: (\w+)",
                     lambda s: s.capitalize()))


def _nav_order_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    return TaskSpec(f"{SHOP}/", nav_eval(f"{SHOP}/order/{inst['order']}"), _order_ms(inst["order"]))


def _nav_order_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    yield from my_orders(obs, inst["order"])
    yield "stop []"


register(TaskTemplate(110, ("shop",), "Open the details page of my order #{{order}}.", "nav", _orders_inst(),
                      _nav_order_build, _nav_order_solve))


def _cancel_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    oid = inst["order"]
    return TaskSpec(f"{SHOP}/", html_eval((f"{SHOP}/order/{oid}", "order-status", ["Canceled"])), [
        *_order_ms(oid), ms(f"Cancel order #{oid}", db("SELECT status = 'canceled' FROM shop_orders WHERE id = ?", oid))])


def _cancel_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from my_orders(obs, inst["order"])
    obs = yield click(obs, "button", "Cancel Order")
    yield "stop []"


register(TaskTemplate(115, ("shop",), "Cancel my order #{{order}}.", "state", _orders_inst("AND status = 'pending'"),
                      _cancel_build, _cancel_solve))


def _priciest_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for r in db_.query("SELECT order_id FROM shop_order_items i JOIN shop_orders o ON o.id = i.order_id "
                       "WHERE o.customer_id = ? GROUP BY order_id HAVING COUNT(*) >= 2 ORDER BY order_id", (ME,)):
        prices = sorted((x["price"] for x in db_.query("SELECT price FROM shop_order_items WHERE order_id = ?",
                                                         (r["order_id"],))), reverse=True)
        if prices[0] > prices[1]:
            out.append({"order": r["order_id"]})
    return rng.sample(out, min(12, len(out)))


def _priciest_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    name = db_.scalar("SELECT name FROM shop_order_items WHERE order_id = ? ORDER BY price DESC", (inst["order"],))
    return TaskSpec(f"{SHOP}/", info_eval([name]), [*_order_ms(inst["order"]), ms("Answer", answer())])


def _priciest_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from my_orders(obs, inst["order"])
    items = [r for r in table_rows(obs) if len(r) == 5 and r[2].startswith("$")]
    best = max(items, key=lambda r: float(r[2].strip("$").replace(",", "")))
    yield f"stop [{best[0]}]"


register(TaskTemplate(118, ("shop",), "Which is the most expensive product (by unit price) in my order #{{order}}?",
                      "info", _priciest_inst, _priciest_build, _priciest_solve))


# --- 106-109, 119: browsing the catalog ------------------------------------------------------------

def _categories(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"category": r["name"]} for r in db_.query("SELECT name FROM shop_categories ORDER BY id")]


def _cat_id(db_: Database, name: str) -> int:
    return int(db_.scalar("SELECT id FROM shop_categories WHERE name = ?", (name,)))


def _cat_ms(db_: Database, name: str) -> dict[str, Any]:
    cid = _cat_id(db_, name)
    return ms(f"Open the {name} category", url(rf"/shop/category/{cid}(\?|$)|[?&]category={cid}(&|$)"))


def _cheapest_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    p = cheapest(db_, _cat_id(db_, inst["category"]))
    return TaskSpec(f"{SHOP}/", info_eval([p]), [_cat_ms(db_, inst["category"]),
                                                  ms("Sort the products by price, low to high", url("sort=price_asc")),
                                                  ms("Answer with the first product", answer())])


def _cheapest_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", inst["category"])
    obs = yield select(obs, "combobox", "Sort by", "Price: low to high")
    obs = yield click(obs, "button", "Search")
    yield f"stop [{first_link_in_list(obs, 'Products')}]"


register(TaskTemplate(106, ("shop",), "Which is the cheapest product in the {{category}} category?", "info",
                      _categories, _cheapest_build, _cheapest_solve))


def _top_rated_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for c in db_.query("SELECT id, name FROM shop_categories ORDER BY id"):
        answers: set[str] = set()
        for cap in (30, 40, 50, 60, 80, 100, 120, 150, 200):
            top = _top_rated(db_, c["id"], cap)
            if len(top) >= 2 and top[0]["rating"] is not None and top[0]["rating"] > (top[1]["rating"] or 0) \
                    and top[0]["name"] not in answers and len(answers) < 2:
                answers.add(top[0]["name"])
                out.append({"category": c["name"], "price": cap})
    return rng.sample(out, min(12, len(out)))


def _top_rated(db_: Database, cid: int, cap: float) -> list[Any]:
    from mira.arena.sites.shop import RATING_SQL

    return db_.query(f"SELECT p.name, {RATING_SQL} AS rating FROM shop_products p WHERE p.category_id = ? "
                     "AND p.status = 'enabled' AND p.price <= ? ORDER BY rating DESC, p.name LIMIT 2", (cid, cap))


def _top_rated_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    top = _top_rated(db_, _cat_id(db_, inst["category"]), inst["price"])
    return TaskSpec(f"{SHOP}/", info_eval([top[0]["name"]]), [
        _cat_ms(db_, inst["category"]), ms(f"Filter to prices up to ${inst['price']}", url(f"max={inst['price']}")),
        ms("Sort by rating", url("sort=rating")), ms("Answer with the top product", answer())])


def _top_rated_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", inst["category"])
    obs = yield type_into(obs, "textbox", "Max price", str(inst["price"]))
    obs = yield select(obs, "combobox", "Sort by", "Rating")
    obs = yield click(obs, "button", "Search")
    yield f"stop [{first_link_in_list(obs, 'Products')}]"


register(TaskTemplate(107, ("shop",), "What is the highest rated product in {{category}} that costs at most ${{price}}?",
                      "info", _top_rated_inst, _top_rated_build, _top_rated_solve, test_only=True))


def _sorted_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    cid = _cat_id(db_, inst["category"])
    return TaskSpec(f"{SHOP}/", nav_eval(f"{SHOP}/search?category={cid}&sort=price_desc"), [
        _cat_ms(db_, inst["category"]),
        ms("Sort by price, high to low", url(rf"^/shop/search\?(?=.*category={cid}(&|$))(?=.*sort=price_desc)"))])


def _sorted_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", inst["category"])
    obs = yield select(obs, "combobox", "Sort by", "Price: high to low")
    obs = yield click(obs, "button", "Search")
    yield "stop []"


register(TaskTemplate(108, ("shop",), "Show me the products of the {{category}} category sorted by price from high to low.",
                      "nav", _categories, _sorted_build, _sorted_solve))


def _range_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    from mira.arena.sites._shop_data import CATEGORIES

    items = sorted({i for spec in CATEGORIES.values() for i in spec["items"]})
    out = []
    for item in rng.sample(items, len(items)):
        lo = rng.choice([10, 20, 30, 50])
        hi = lo + rng.choice([30, 50, 100])
        n = db_.scalar("SELECT COUNT(*) FROM shop_products WHERE name LIKE ? AND price BETWEEN ? AND ? "
                       "AND status = 'enabled'", (f"%{item}%", lo, hi))
        if n:
            out.append({"query": item.lower(), "lo": lo, "hi": hi})
    return out[:12]


def _range_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    q = inst["query"].replace(" ", "+")
    return TaskSpec(f"{SHOP}/", nav_eval(f"{SHOP}/search?q={q}&min={inst['lo']}&max={inst['hi']}"), [
        ms(f"Search for {inst['query']}", url(r"^/shop/search\?(.*&)?q=" + q.replace("+", r"(\+|%20)"))),
        ms(f"Filter prices from ${inst['lo']} to ${inst['hi']}",
           url(rf"(?=.*min={inst['lo']}(&|$))(?=.*max={inst['hi']}(&|$))"))])


def _range_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield type_into(obs, "textbox", "Search", inst["query"])
    obs = yield type_into(obs, "textbox", "Min price", str(inst["lo"]))
    obs = yield type_into(obs, "textbox", "Max price", str(inst["hi"]))
    obs = yield click(obs, "button", "Search")
    yield "stop []"


register(TaskTemplate(109, ("shop",), "Search for '{{query}}' products priced between ${{lo}} and ${{hi}}.", "nav",
                      _range_inst, _range_build, _range_solve))


def _count_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"category": c["category"], "price": rng.choice([25, 40, 50, 75, 100])} for c in _categories(db_, rng)]


def _count_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    n = db_.scalar("SELECT COUNT(*) FROM shop_products WHERE category_id = ? AND price <= ? AND status = 'enabled'",
                   (_cat_id(db_, inst["category"]), inst["price"]))
    return TaskSpec(f"{SHOP}/", info_eval([str(n)]), [
        _cat_ms(db_, inst["category"]), ms(f"Filter to prices up to ${inst['price']}", url(f"max={inst['price']}")),
        ms("Answer with the number of products found", answer())])


def _count_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", inst["category"])
    obs = yield from submit(obs, "Max price", str(inst["price"]), "max=")
    yield "stop [" + read(obs, r"(\d+) products found") + "]"


register(TaskTemplate(119, ("shop",), "How many products of the {{category}} category cost at most ${{price}}?",
                      "info", _count_inst, _count_build, _count_solve))

from mira.arena.tasks import _shop_state  # noqa: E402,F401  (cart, wish list, review, account and checkout tasks)
