"""Task templates of the `shop_admin` site (ids 200-299): reports, grids, product edits, orders, reviews."""

from __future__ import annotations

import random
from typing import Any

from mira.arena.db import Database
from mira.arena.oracle import click, read, seek, select
from mira.arena.tasks import OracleGen, TaskSpec, TaskTemplate, register
from mira.arena.tasks._shopkit import (
    ADMIN,
    Steps,
    answer,
    db,
    html_eval,
    info_eval,
    money,
    ms,
    page_of,
    row_with,
    submit,
    url,
)
from mira.types import Observation

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _customers(db_: Database, rng: random.Random, n: int = 12) -> list[Any]:
    rows = db_.query("SELECT c.*, c.first_name || ' ' || c.last_name AS name FROM shop_customers c "
                     "WHERE EXISTS (SELECT 1 FROM shop_orders o WHERE o.customer_id = c.id) ORDER BY c.id")
    return rng.sample(rows, n)


def _search_products(obs: Observation, text: str) -> Steps:
    obs = yield click(obs, "link", "Products")
    obs = yield from submit(obs, "Search by name or SKU", text, "q=")
    return obs


def _open_product(obs: Observation, name: str) -> Steps:
    obs = yield from _search_products(obs, name)
    obs = yield click(obs, "link", name)
    return obs


def _find_customer(obs: Observation, name: str) -> Steps:
    obs = yield click(obs, "link", "Customers")
    obs = yield from submit(obs, "Search by name or email", name, "q=")
    return obs


def _open_order(obs: Observation, customer: str, oid: int) -> Steps:
    obs = yield click(obs, "link", "Orders")
    obs = yield from submit(obs, "Customer name or email", customer, "customer=")
    obs, _ = yield from seek(obs, "link", f"Order #{oid}")
    obs = yield click(obs, "link", f"Order #{oid}")
    return obs


def _pid(db_: Database, name: str) -> int:
    return int(db_.scalar("SELECT id FROM shop_products WHERE name = ?", (name,)))


def _products(db_: Database, rng: random.Random, n: int = 12) -> list[Any]:
    return rng.sample(db_.query("SELECT * FROM shop_products ORDER BY id"), n)


# --- 201, 202, 206, 216: facts from the grids ------------------------------------------------------

def _stock_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"sku": p["sku"]} for p in _products(db_, rng)]


def _stock_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    stock = db_.scalar("SELECT stock FROM shop_products WHERE sku = ?", (inst["sku"],))
    return TaskSpec(f"{ADMIN}/", info_eval([str(stock)]), [
        ms("Open the products grid", page_of("/admin/products")),
        ms(f"Search the products for {inst['sku']}", url(f"q={inst['sku']}")), ms("Answer with the quantity", answer())])


def _stock_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _search_products(obs, inst["sku"])
    yield f"stop [{row_with(obs, inst['sku'], col=1)[4]}]"


register(TaskTemplate(201, ("shop_admin",), "How many units of the product with SKU {{sku}} are in stock?", "info",
                      _stock_inst, _stock_build, _stock_solve))


def _cust_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"customer": c["name"]} for c in _customers(db_, rng)]


def _cust_id(db_: Database, name: str) -> int:
    return int(db_.scalar("SELECT id FROM shop_customers WHERE first_name || ' ' || last_name = ?", (name,)))


def _n_orders_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    n = db_.scalar("SELECT COUNT(*) FROM shop_orders WHERE customer_id = ?", (_cust_id(db_, inst["customer"]),))
    return TaskSpec(f"{ADMIN}/", info_eval([str(n)]), [
        ms("Open the customers grid", page_of("/admin/customers")),
        ms(f"Search the customers for {inst['customer']}", url(r"/admin/customers\?(.*&)?q=.")),
        ms("Answer with the number of orders", answer())])


def _n_orders_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _find_customer(obs, inst["customer"])
    yield f"stop [{row_with(obs, inst['customer'], col=1)[4]}]"


register(TaskTemplate(202, ("shop_admin",), "How many orders has the customer {{customer}} placed?", "info",
                      _cust_inst, _n_orders_build, _n_orders_solve))


def _lifetime_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    cid = _cust_id(db_, inst["customer"])
    total = db_.scalar("SELECT COALESCE(SUM(total), 0) FROM shop_orders WHERE customer_id = ? AND status != 'canceled'",
                       (cid,))
    return TaskSpec(f"{ADMIN}/", info_eval([money(total)]), [
        ms("Open the customers grid", page_of("/admin/customers")),
        ms(f"Open the page of {inst['customer']}", page_of(f"/admin/customer/{cid}")),
        ms("Answer with the lifetime sales", answer())])


def _lifetime_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _find_customer(obs, inst["customer"])
    obs = yield click(obs, "link", inst["customer"])
    yield "stop [" + read(obs, r"Lifetime sales: (\$[\d,]+\.\d\d)") + "]"


register(TaskTemplate(206, ("shop_admin",), "What are the lifetime sales of the customer {{customer}}?", "info",
                      _cust_inst, _lifetime_build, _lifetime_solve, test_only=True))


def _status_count_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"customer": c["name"], "status": rng.choice(["complete", "canceled", "pending", "processing"])}
            for c in _customers(db_, rng)]


def _status_count_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    n = db_.scalar("SELECT COUNT(*) FROM shop_orders WHERE customer_id = ? AND status = ?",
                   (_cust_id(db_, inst["customer"]), inst["status"]))
    return TaskSpec(f"{ADMIN}/", info_eval([str(n)]), [
        ms("Open the orders grid", page_of("/admin/orders")),
        ms(f"Filter the orders by status {inst['status']}", url(f"status={inst['status']}")),
        ms("Answer with the number of orders found", answer())])


def _status_count_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", "Orders")
    obs = yield select(obs, "combobox", "Status", inst["status"].capitalize())
    obs = yield from submit(obs, "Customer name or email", inst["customer"], "customer=")
    yield "stop [" + read(obs, r"(\d+) records found") + "]"


register(TaskTemplate(216, ("shop_admin",), "How many {{status}} orders does {{customer}} have?", "info",
                      _status_count_inst, _status_count_build, _status_count_solve))


# --- 203, 213, 214: one order ----------------------------------------------------------------------

def _order_inst(where: str, statuses: tuple[str, ...] = ()) -> Any:
    def instances(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
        rows = db_.query("SELECT o.id, o.status, c.first_name || ' ' || c.last_name AS customer FROM shop_orders o "
                         f"JOIN shop_customers c ON c.id = o.customer_id WHERE 1 {where} ORDER BY o.id")
        out = []
        for r in rng.sample(rows, 12):
            inst = {"order": r["id"], "customer": r["customer"]}
            if statuses:
                inst["status"] = rng.choice([s for s in statuses if s != r["status"]])
            out.append(inst)
        return out
    return instances


def _order_ms(inst: dict[str, Any]) -> list[dict[str, Any]]:
    return [ms("Open the orders grid", page_of("/admin/orders")),
            ms(f"Open order #{inst['order']}", page_of(f"/admin/order/{inst['order']}"))]


def _total_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    total = db_.scalar("SELECT total FROM shop_orders WHERE id = ?", (inst["order"],))
    return TaskSpec(f"{ADMIN}/", info_eval([money(total)]), [*_order_ms(inst), ms("Answer with the grand total", answer())])


def _total_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _open_order(obs, inst["customer"], inst["order"])
    yield "stop [" + read(obs, r"Grand total: (\$[\d,]+\.\d\d)") + "]"


register(TaskTemplate(203, ("shop_admin",), "What is the grand total of order #{{order}} placed by {{customer}}?",
                      "info", _order_inst(""), _total_build, _total_solve))


def _set_status_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    oid, status = inst["order"], inst["status"]
    return TaskSpec(f"{ADMIN}/", html_eval((f"{ADMIN}/order/{oid}", "order-status", [f"Status: {status.capitalize()}"])), [
        *_order_ms(inst), ms(f"Set the status of order #{oid} to {status}",
                             db("SELECT status = ? FROM shop_orders WHERE id = ?", status, oid))])


def _set_status_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _open_order(obs, inst["customer"], inst["order"])
    obs = yield select(obs, "combobox", "New status", inst["status"].capitalize())
    obs = yield click(obs, "button", "Update Status")
    yield "stop []"


register(TaskTemplate(213, ("shop_admin",), "Change the status of order #{{order}} of {{customer}} to {{status}}.", "state",
                      _order_inst("AND o.status IN ('pending', 'processing')", ("processing", "complete", "canceled")),
                      _set_status_build, _set_status_solve))


def _invoice_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    oid = inst["order"]
    return TaskSpec(f"{ADMIN}/", html_eval((f"{ADMIN}/order/{oid}", "invoice", ["Invoice #", "created on"])), [
        *_order_ms(inst), ms(f"Create the invoice of order #{oid}",
                             db("SELECT COUNT(*) FROM shop_invoices WHERE order_id = ?", oid))])


def _invoice_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from _open_order(obs, inst["customer"], inst["order"])
    obs = yield click(obs, "button", "Create Invoice")
    yield "stop []"


register(TaskTemplate(214, ("shop_admin",), "Create an invoice for order #{{order}} of {{customer}}.", "state",
                      _order_inst("AND o.status = 'pending' AND o.id NOT IN (SELECT order_id FROM shop_invoices)"),
                      _invoice_build, _invoice_solve, test_only=True))

from mira.arena.tasks import _admin_more  # noqa: E402,F401  (reports, products, reviews, navigation)
