"""More shop-admin task templates: reports, product edits, review moderation, navigation."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote_plus

from mira.arena.db import Database
from mira.arena.oracle import click, select, type_into
from mira.arena.sites.shop_admin import bestsellers
from mira.arena.tasks import OracleGen, TaskSpec, TaskTemplate, register
from mira.arena.tasks._shopkit import (
    ADMIN,
    Steps,
    answer,
    db,
    html_eval,
    info_eval,
    ms,
    nav_eval,
    page_of,
    row_with,
    submit,
    table_rows,
    url,
)
from mira.arena.tasks.shop_admin import MONTHS, _cust_inst, _open_product, _pid, _products, _search_products
from mira.types import Observation

# --- 204, 205, 218: best-sellers report ------------------------------------------------------------


def _months(db_: Database, rng: random.Random, ranks: int) -> list[dict[str, Any]]:
    """Months whose top `ranks` best sellers are unambiguous (no tie at the cut; ranks < 0: any month with sales)."""
    out = []
    for y in (2024, 2025, 2026):
        for m in range(1, 13):
            if f"{y}-{m:02d}" >= "2026-06":
                continue
            rows = bestsellers(db_, f"{y}-{m:02d}", max(ranks + 1, 3))
            qty = [r["qty"] for r in rows]
            if (ranks < 0 and len(rows) >= 3) or (len(rows) > ranks >= 0 and (ranks == 0 or qty[ranks - 1] > qty[ranks])):
                out.append({"month": MONTHS[m - 1], "year": y})
    return rng.sample(out, min(12, len(out)))


def _period(inst: dict[str, Any]) -> str:
    return f"{inst['year']}-{MONTHS.index(inst['month']) + 1:02d}"


def _report_ms(inst: dict[str, Any]) -> list[dict[str, Any]]:
    m = MONTHS.index(inst["month"]) + 1
    return [ms("Open the best-sellers report", page_of("/admin/reports/bestsellers")),
            ms(f"Show the report of {inst['month']} {inst['year']}",
               url(rf"/admin/reports/bestsellers\?(?=.*year={inst['year']})(?=.*month={m}(&|$))"))]


def _report(obs: Observation, inst: dict[str, Any]) -> Steps:
    obs = yield click(obs, "link", "Reports")
    obs = yield select(obs, "combobox", "Year", str(inst["year"]))
    obs = yield select(obs, "combobox", "Month", inst["month"])
    obs = yield click(obs, "button", "Show Report")
    return obs


def _top3_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    names = [r["name"] for r in bestsellers(db_, _period(inst), 3)]
    return TaskSpec(f"{ADMIN}/", info_eval(names), [*_report_ms(inst), ms("Answer with the top 3 products", answer())])


def _top3_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _report(obs, inst)
    names = [r[1] for r in table_rows(obs) if r and r[0] in ("1", "2", "3")]
    yield f"stop [{', '.join(names)}]"


register(TaskTemplate(204, ("shop_admin",), "What are the top-3 products of the best-sellers report of {{month}} {{year}}?",
                      "info", lambda d, r: _months(d, r, -1), _top3_build, _top3_solve))


def _units_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    top = bestsellers(db_, _period(inst), 1)[0]
    return TaskSpec(f"{ADMIN}/", info_eval([str(top["qty"])]), [*_report_ms(inst), ms("Answer with the units", answer())])


def _units_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _report(obs, inst)
    yield f"stop [{row_with(obs, '1', col=0)[2]}]"


register(TaskTemplate(205, ("shop_admin",), "How many units of the best-selling product of {{month}} {{year}} were sold?",
                      "info", lambda d, r: _months(d, r, 1), _units_build, _units_solve))


def _report_nav_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    m = MONTHS.index(inst["month"]) + 1
    return TaskSpec(f"{ADMIN}/", nav_eval(f"{ADMIN}/reports/bestsellers?year={inst['year']}&month={m}"), _report_ms(inst))


def _report_nav_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    yield from _report(obs, inst)
    yield "stop []"


register(TaskTemplate(218, ("shop_admin",), "Show me the best-sellers report of {{month}} {{year}}.", "nav",
                      lambda d, r: _months(d, r, 0), _report_nav_build, _report_nav_solve))


# --- 207, 208: navigation --------------------------------------------------------------------------

def _filter_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{**c, "status": rng.choice(["pending", "processing", "complete", "canceled"])} for c in _cust_inst(db_, rng)]


def _filter_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    email = db_.scalar("SELECT email FROM shop_customers WHERE first_name || ' ' || last_name = ?", (inst["customer"],))
    ref = " |OR| ".join(f"{ADMIN}/orders?status={inst['status']}&customer={quote_plus(c)}" for c in (inst["customer"], email))
    return TaskSpec(f"{ADMIN}/", nav_eval(ref), [
        ms("Open the orders grid", page_of("/admin/orders")),
        ms(f"Filter by status {inst['status']} and customer {inst['customer']}",
           url(rf"/admin/orders\?(?=.*status={inst['status']})(?=.*customer=.)"))])


def _filter_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", "Orders")
    obs = yield select(obs, "combobox", "Status", inst["status"].capitalize())
    obs = yield type_into(obs, "textbox", "Customer name or email", inst["customer"])
    obs = yield click(obs, "button", "Filter")
    yield "stop []"


register(TaskTemplate(207, ("shop_admin",), "Show me all {{status}} orders of the customer {{customer}}.", "nav",
                      _filter_inst, _filter_build, _filter_solve))


def _sku_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"sku": p["sku"]} for p in _products(db_, rng)]


def _edit_nav_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    pid = db_.scalar("SELECT id FROM shop_products WHERE sku = ?", (inst["sku"],))
    return TaskSpec(f"{ADMIN}/", nav_eval(f"{ADMIN}/product/{pid}"), [
        ms(f"Search the products for {inst['sku']}", url(f"/admin/products\\?(.*&)?q={inst['sku']}")),
        ms(f"Open the edit page of {inst['sku']}", page_of(f"/admin/product/{pid}"))])


def _edit_nav_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _search_products(obs, inst["sku"])
    obs = yield click(obs, "link", row_with(obs, inst["sku"], col=1)[2])
    yield "stop []"


register(TaskTemplate(208, ("shop_admin",), "Open the edit page of the product with SKU {{sku}}.", "nav",
                      _sku_inst, _edit_nav_build, _edit_nav_solve))


# --- 209, 210, 215: product edits ------------------------------------------------------------------

def _price_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"product": p["name"], "price": f"{round(p['price'] * rng.choice([0.8, 0.9, 1.1, 1.25])) - 0.01:.2f}"}
            for p in _products(db_, rng)]


def _edit_ms(db_: Database, name: str, what: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    pid = _pid(db_, name)
    return [ms(f"Open the edit page of {name}", page_of(f"/admin/product/{pid}")),
            ms(f"Save {name} with {what}", db(f"SELECT COUNT(*) FROM shop_products WHERE id = ? AND {sql}", pid, *params))]


def _price_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    pid = _pid(db_, inst["product"])
    return TaskSpec(f"{ADMIN}/", html_eval((f"{ADMIN}/product/{pid}", "summary", [f"Price: ${float(inst['price']):,.2f}"])), [
        ms("Open the products grid", page_of("/admin/products")),
        *_edit_ms(db_, inst["product"], f"price ${inst['price']}", "price = ?", float(inst["price"]))])


def _edit_product(obs: Observation, name: str, price: str = "", stock: str = "", status: str = "") -> Steps:
    obs = yield from _open_product(obs, name)
    if price:
        obs = yield type_into(obs, "textbox", "Price", price)
    if stock:
        obs = yield type_into(obs, "textbox", "Quantity", stock)
    if status:
        obs = yield select(obs, "combobox", "Status", status)
    obs = yield click(obs, "button", "Save Product")
    return obs


def _price_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    yield from _edit_product(obs, inst["product"], price=inst["price"])
    yield "stop []"


register(TaskTemplate(209, ("shop_admin",), "Change the price of {{product}} to ${{price}}.", "state",
                      _price_inst, _price_build, _price_solve))


def _stock_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"product": p["name"], "qty": rng.choice([0, 5, 12, 30, 75])}
            for p in rng.sample(db_.query("SELECT * FROM shop_products WHERE status = 'enabled' ORDER BY id"), 12)]


def _stock_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    pid = _pid(db_, inst["product"])
    return TaskSpec(f"{ADMIN}/", html_eval((f"{ADMIN}/product/{pid}", "summary",
                                            [f"Quantity: {inst['qty']}", "Status: Disabled"])), [
        ms("Open the products grid", page_of("/admin/products")),
        *_edit_ms(db_, inst["product"], f"quantity {inst['qty']}, disabled", "stock = ? AND status = 'disabled'",
                  inst["qty"])])


def _stock_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    yield from _edit_product(obs, inst["product"], stock=str(inst["qty"]), status="Disabled")
    yield "stop []"


register(TaskTemplate(210, ("shop_admin",), "Set the stock quantity of {{product}} to {{qty}} and disable the product.",
                      "state", _stock_inst, _stock_build, _stock_solve))


def _multi_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for _ in range(12):
        inst: dict[str, Any] = {}
        for k, p in enumerate(_products(db_, rng, 3), start=1):
            inst.update({f"product{k}": p["name"], f"price{k}": f"{round(p['price'] * rng.choice([0.85, 1.15])) - 0.01:.2f}",
                         f"qty{k}": rng.choice([10, 20, 50, 100])})
        out.append(inst)
    return out


def _multi_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    targets, steps = [], [ms("Open the products grid", page_of("/admin/products"))]
    for k in (1, 2, 3):
        name, price, qty = inst[f"product{k}"], inst[f"price{k}"], inst[f"qty{k}"]
        targets.append((f"{ADMIN}/product/{_pid(db_, name)}", "summary",
                        [f"Price: ${float(price):,.2f}", f"Quantity: {qty}"]))
        steps.append(_edit_ms(db_, name, f"price ${price} and quantity {qty}", "price = ? AND stock = ?",
                              float(price), qty)[1])
    return TaskSpec(f"{ADMIN}/", html_eval(*targets), steps)


def _multi_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    for k in (1, 2, 3):
        obs = yield from _edit_product(obs, inst[f"product{k}"], price=inst[f"price{k}"], stock=str(inst[f"qty{k}"]))
    yield "stop []"


register(TaskTemplate(215, ("shop_admin",), "Update three products: {{product1}} to ${{price1}} with {{qty1}} in stock, "
                      "{{product2}} to ${{price2}} with {{qty2}} in stock, and {{product3}} to ${{price3}} with "
                      "{{qty3}} in stock.", "state", _multi_inst, _multi_build, _multi_solve))


# --- 211, 212, 217: review moderation --------------------------------------------------------------

def _review_inst(status: str, n: int = 12) -> Any:
    def instances(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
        rows = db_.query("SELECT r.title, p.name FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id "
                         "WHERE r.status = ? ORDER BY r.id", (status,))
        return [{"title": r["title"], "product": r["name"]} for r in rng.sample(rows, n)]
    return instances


def _rid(db_: Database, inst: dict[str, Any], k: str = "") -> int:
    return int(db_.scalar("SELECT r.id FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id "
                          "WHERE r.title = ? AND p.name = ?", (inst[f"title{k}"], inst[f"product{k}"])))


def _moderate(obs: Observation, product: str, title: str, status: str, action: str) -> Steps:
    obs = yield click(obs, "link", "Reviews")
    obs = yield select(obs, "combobox", "Status", status)
    obs = yield from submit(obs, "Product name", product, "q=")
    obs = yield click(obs, "link", title)
    obs = yield click(obs, "button", action)
    return obs


def _moderation(tid: int, verb: str, before: str, after: str) -> TaskTemplate:
    def build(inst: dict[str, Any], db_: Database) -> TaskSpec:
        rid = _rid(db_, inst)
        return TaskSpec(f"{ADMIN}/", html_eval((f"{ADMIN}/review/{rid}", "review-status", [f"Status: {after.capitalize()}"])), [
            ms("Open the reviews grid", page_of("/admin/reviews")),
            ms(f"Open the review '{inst['title']}'", page_of(f"/admin/review/{rid}")),
            ms(f"{verb} the review", db("SELECT status = ? FROM shop_reviews WHERE id = ?", after, rid))])

    def solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
        yield from _moderate(obs, inst["product"], inst["title"], before.capitalize(), verb)
        yield "stop []"

    return TaskTemplate(tid, ("shop_admin",), f"{verb} the {before} review '{{{{title}}}}' of {{{{product}}}}.", "state",
                        _review_inst(before), build, solve)


register(_moderation(211, "Approve", "pending", "approved"))
register(_moderation(212, "Reject", "approved", "rejected"))


def _pair_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    singles = _review_inst("pending", 24)(db_, rng)
    return [{"product1": a["product"], "title1": a["title"], "product2": b["product"], "title2": b["title"]}
            for a, b in zip(singles[::2], singles[1::2], strict=True) if a["product"] != b["product"]]


def _pair_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    steps, targets = [ms("Open the reviews grid", page_of("/admin/reviews"))], []
    for k in ("1", "2"):
        rid = _rid(db_, inst, k)
        steps.append(ms(f"Approve the review '{inst['title' + k]}' of {inst['product' + k]}",
                        db("SELECT status = 'approved' FROM shop_reviews WHERE id = ?", rid)))
        targets.append((f"{ADMIN}/review/{rid}", "review-status", ["Status: Approved"]))
    return TaskSpec(f"{ADMIN}/", html_eval(*targets), steps)


def _pair_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    for k in ("1", "2"):
        obs = yield from _moderate(obs, inst["product" + k], inst["title" + k], "Pending", "Approve")
    yield "stop []"


register(TaskTemplate(217, ("shop_admin",), "Approve two pending reviews: '{{title1}}' of {{product1}} and "
                      "'{{title2}}' of {{product2}}.", "state", _pair_inst, _pair_build, _pair_solve))
