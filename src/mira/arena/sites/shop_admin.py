"""The `shop_admin` site (as WebArena's Magento admin) over the shop's own tables.

Dashboard, products (search, edit price/stock/status), orders (filters, status, invoices), customers,
review moderation and the best-sellers report. Only `admin_users` is its own table; products, orders,
customers and reviews are the shop's, so an order placed in the shop shows up here.
"""

from __future__ import annotations

import random
import re
from typing import Any

from mira.arena.db import NOW, Database
from mira.arena.sites._shop_data import SHIPPING, STATUSES
from mira.arena.sites._shop_orders import bad_id_pages
from mira.arena.sites.shop import FormError, field
from mira.arena.web import HTTPError, Request, Response, Router, render

NAME = "shop_admin"
PREFIX = "/admin"
TITLE = "Store Admin"
SCHEMA = """
CREATE TABLE admin_users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
  display TEXT NOT NULL);
"""
DEFAULT_USERNAME = "admin"
"""The account tasks start logged in as; its id is DEFAULT_USER_ID."""
DEFAULT_USER_ID = 1
PER_PAGE = 20
REVIEW_STATUSES = ("pending", "approved", "rejected")
NOT_CANCELED = "o.status != 'canceled'"

router = Router()


def seed(db: Database, rng: random.Random) -> None:
    db.conn.executemany("INSERT INTO admin_users VALUES (?, ?, ?, ?)",
                        [(1, "admin", "admin1234", "Admin User"), (2, "store.manager", "manager1234", "Store Manager")])


def load_user(db: Database, user_id: int | str) -> dict[str, Any] | None:
    col = "username" if isinstance(user_id, str) and not user_id.isdigit() else "id"
    row = db.one(f"SELECT id, username, display FROM admin_users WHERE {col} = ?", (user_id,))
    return None if row is None else dict(row)


def page(req: Request, template: str, **ctx: Any) -> Response:
    return render(req, f"shop_admin/{template}", site_title=TITLE, **ctx)


def admin(req: Request) -> dict[str, Any]:
    from mira.arena.app import require_user  # app imports the sites: import late

    return require_user(req)


def paged(req: Request, sql: str, params: tuple[Any, ...], order: str) -> tuple[list[Any], int, int, int]:
    """(rows, page, pages, total) of a grid query."""
    total = req.db.scalar(f"SELECT COUNT(*) FROM ({sql})", params)
    pages = max(1, -(-total // PER_PAGE))
    pg = req.int_arg("page", 1, 1, pages)
    rows = req.db.query(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", (*params, PER_PAGE, (pg - 1) * PER_PAGE))
    return rows, pg, pages, total


def bestsellers(db: Database, period: str = "", limit: int = 10) -> list[Any]:
    """Products by quantity sold in non-canceled orders whose date starts with `period` ('2025' or '2025-03')."""
    return db.query("SELECT i.product_id, i.name, SUM(i.qty) AS qty, ROUND(SUM(i.qty * i.price), 2) AS revenue "
                    f"FROM shop_order_items i JOIN shop_orders o ON o.id = i.order_id WHERE {NOT_CANCELED} "
                    "AND o.created LIKE ? GROUP BY i.product_id ORDER BY qty DESC, i.name LIMIT ?",
                    (period + "%", limit))


@router.route("/")
def dashboard(req: Request) -> Response:
    admin(req)
    db = req.db
    stats = {
        "sales": db.scalar(f"SELECT COALESCE(SUM(total), 0) FROM shop_orders o WHERE {NOT_CANCELED}"),
        "orders": db.scalar("SELECT COUNT(*) FROM shop_orders"),
        "customers": db.scalar("SELECT COUNT(*) FROM shop_customers"),
        "pending_reviews": db.scalar("SELECT COUNT(*) FROM shop_reviews WHERE status = 'pending'"),
    }
    recent = db.query("SELECT o.*, c.first_name || ' ' || c.last_name AS customer FROM shop_orders o "
                      "JOIN shop_customers c ON c.id = o.customer_id ORDER BY o.created DESC, o.id DESC LIMIT 5")
    return page(req, "dashboard.html", stats=stats, recent=recent, best=bestsellers(db, "", 5))


# --- products --------------------------------------------------------------------------------------

@router.route("/products")
def products(req: Request) -> Response:
    admin(req)
    q = req.arg("q")[:100]
    rows, pg, pages, total = paged(req, "SELECT * FROM shop_products WHERE name LIKE ? OR sku LIKE ?",
                                   (f"%{q}%", f"%{q}%"), "id")
    return page(req, "products.html", rows=rows, pg=pg, pages=pages, total=total, q=q)


def product_or_404(db: Database, pid: int) -> Any:
    row = db.one("SELECT p.*, c.name AS category FROM shop_products p JOIN shop_categories c ON c.id = p.category_id "
                 "WHERE p.id = ?", (pid,))
    if row is None:
        raise HTTPError(404, f"product {pid} does not exist")
    return row


@router.route("/product/<int:pid>", methods=("GET", "POST"))
def edit_product(req: Request) -> Response:
    admin(req)
    p = product_or_404(req.db, req.params["pid"])
    if req.method == "GET":
        return page(req, "product.html", p=p, form=dict(p))
    try:
        price = field(req, "price", "Price", max_len=12, pattern=r"\d{1,6}(\.\d{1,2})?", hint="a number like 24.99.")
        if float(price) <= 0:
            raise FormError("Price must be greater than 0.")
        stock = field(req, "stock", "Quantity", max_len=6, pattern=r"\d{1,6}", hint="a whole number from 0 to 999999.")
        status = req.form.get("status", "")
        if status not in ("enabled", "disabled"):
            raise FormError("Status must be Enabled or Disabled.")
    except FormError as e:
        return page(req, "product.html", p=p, form={**dict(p), **req.form}, error=str(e))
    req.db.execute("UPDATE shop_products SET price = ?, stock = ?, status = ? WHERE id = ?",
                   (round(float(price), 2), int(stock), status, p["id"]))
    return Response.redirect(req.url(f"/product/{p['id']}", msg=f"You saved the product {p['name']}."))


# --- orders ----------------------------------------------------------------------------------------

@router.route("/orders")
def orders(req: Request) -> Response:
    admin(req)
    status, customer = req.arg("status"), req.arg("customer")[:100]
    if status and status not in STATUSES:
        raise HTTPError(400, f"status must be one of {', '.join(STATUSES)}, got {status[:40]!r}")
    sql = ("SELECT o.*, c.first_name || ' ' || c.last_name AS customer FROM shop_orders o "
           "JOIN shop_customers c ON c.id = o.customer_id WHERE (? = '' OR o.status = ?) "
           "AND (c.first_name || ' ' || c.last_name LIKE ? OR c.email LIKE ?)")
    rows, pg, pages, total = paged(req, sql, (status, status, f"%{customer}%", f"%{customer}%"), "o.created DESC, o.id DESC")
    return page(req, "orders.html", rows=rows, pg=pg, pages=pages, total=total, status=status, customer=customer,
                statuses=STATUSES)


def order_or_404(db: Database, oid: int) -> Any:
    row = db.one("SELECT o.*, c.first_name || ' ' || c.last_name AS customer, c.email FROM shop_orders o "
                 "JOIN shop_customers c ON c.id = o.customer_id WHERE o.id = ?", (oid,))
    if row is None:
        raise HTTPError(404, f"order {oid} does not exist")
    return row


@router.route("/order/<int:oid>")
def order(req: Request) -> Response:
    admin(req)
    o = order_or_404(req.db, req.params["oid"])
    items = req.db.query("SELECT * FROM shop_order_items WHERE order_id = ? ORDER BY id", (o["id"],))
    invoice = req.db.one("SELECT * FROM shop_invoices WHERE order_id = ?", (o["id"],))
    return page(req, "order.html", o=o, items=items, invoice=invoice, statuses=STATUSES, shipping=SHIPPING)


@router.route("/order/<int:oid>/status", methods=("POST",))
def order_status(req: Request) -> Response:
    admin(req)
    o = order_or_404(req.db, req.params["oid"])
    status = req.form.get("status", "").strip()
    if status not in STATUSES:
        raise HTTPError(400, f"status must be one of {', '.join(STATUSES)}, got {status[:40]!r}")
    req.db.execute("UPDATE shop_orders SET status = ? WHERE id = ?", (status, o["id"]))
    return Response.redirect(req.url(f"/order/{o['id']}", msg=f"Order #{o['id']} status changed to {status}."))


@router.route("/order/<int:oid>/invoice", methods=("POST",))
def create_invoice(req: Request) -> Response:
    admin(req)
    o = order_or_404(req.db, req.params["oid"])
    if o["status"] == "canceled":
        raise HTTPError(400, f"order {o['id']} is canceled and cannot be invoiced")
    if req.db.one("SELECT 1 FROM shop_invoices WHERE order_id = ?", (o["id"],)):
        raise HTTPError(400, f"order {o['id']} already has an invoice")
    req.db.execute("INSERT INTO shop_invoices (order_id, created, amount) VALUES (?, ?, ?)", (o["id"], NOW, o["total"]))
    if o["status"] == "pending":
        req.db.execute("UPDATE shop_orders SET status = 'processing' WHERE id = ?", (o["id"],))
    return Response.redirect(req.url(f"/order/{o['id']}", msg="The invoice has been created."))


# --- customers -------------------------------------------------------------------------------------

@router.route("/customers")
def customers(req: Request) -> Response:
    admin(req)
    q = req.arg("q")[:100]
    sql = ("SELECT c.*, (SELECT COUNT(*) FROM shop_orders o WHERE o.customer_id = c.id) AS n_orders "
           "FROM shop_customers c WHERE c.first_name || ' ' || c.last_name LIKE ? OR c.email LIKE ?")
    rows, pg, pages, total = paged(req, sql, (f"%{q}%", f"%{q}%"), "c.id")
    return page(req, "customers.html", rows=rows, pg=pg, pages=pages, total=total, q=q)


@router.route("/customer/<int:cid>")
def customer(req: Request) -> Response:
    admin(req)
    c = req.db.one("SELECT * FROM shop_customers WHERE id = ?", (req.params["cid"],))
    if c is None:
        raise HTTPError(404, f"customer {req.params['cid']} does not exist")
    orders_ = req.db.query("SELECT * FROM shop_orders WHERE customer_id = ? ORDER BY created DESC, id DESC", (c["id"],))
    lifetime = sum(o["total"] for o in orders_ if o["status"] != "canceled")
    n_reviews = req.db.scalar("SELECT COUNT(*) FROM shop_reviews WHERE customer_id = ?", (c["id"],))
    return page(req, "customer.html", c=c, orders=orders_, lifetime=lifetime, n_reviews=n_reviews)


# --- reviews ---------------------------------------------------------------------------------------

@router.route("/reviews")
def reviews(req: Request) -> Response:
    admin(req)
    status = req.arg("status") if "status" in req.query else "pending"
    if status and status not in REVIEW_STATUSES:
        raise HTTPError(400, f"status must be one of {', '.join(REVIEW_STATUSES)} (or empty for all), got {status[:40]!r}")
    q = req.arg("q")[:100]
    sql = ("SELECT r.*, p.name AS product FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id "
           "WHERE (? = '' OR r.status = ?) AND p.name LIKE ?")
    rows, pg, pages, total = paged(req, sql, (status, status, f"%{q}%"), "r.created DESC, r.id DESC")
    return page(req, "reviews.html", rows=rows, pg=pg, pages=pages, total=total, status=status, q=q,
                statuses=REVIEW_STATUSES)


@router.route("/review/<int:rid>")
def review(req: Request) -> Response:
    admin(req)
    r = req.db.one("SELECT r.*, p.name AS product FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id "
                   "WHERE r.id = ?", (req.params["rid"],))
    if r is None:
        raise HTTPError(404, f"review {req.params['rid']} does not exist")
    return page(req, "review.html", r=r)


@router.route("/review/<int:rid>/status", methods=("POST",))
def review_status(req: Request) -> Response:
    admin(req)
    rid = req.params["rid"]
    if req.db.one("SELECT 1 FROM shop_reviews WHERE id = ?", (rid,)) is None:
        raise HTTPError(404, f"review {rid} does not exist")
    status = req.form.get("status", "").strip()
    if status not in REVIEW_STATUSES:
        raise HTTPError(400, f"status must be one of {', '.join(REVIEW_STATUSES)}, got {status[:40]!r}")
    req.db.execute("UPDATE shop_reviews SET status = ? WHERE id = ?", (status, rid))
    return Response.redirect(req.url(f"/review/{rid}", msg=f"The review was marked {status}."))


# --- reports ---------------------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


@router.route("/reports/bestsellers")
def report_bestsellers(req: Request) -> Response:
    admin(req)
    years = [str(y) for y in range(2024, int(NOW[:4]) + 1)]
    year = req.arg("year") or NOW[:4]
    month = req.arg("month")
    if year not in years:
        raise HTTPError(400, f"year must be one of {', '.join(years)}, got {year[:40]!r}")
    if month and not (re.fullmatch(r"\d{1,2}", month) and 1 <= int(month) <= 12):
        raise HTTPError(400, f"month must be a number from 1 to 12 (or empty for the whole year), got {month[:40]!r}")
    period = f"{year}-{int(month):02d}" if month else year
    label = f"{MONTHS[int(month) - 1]} {year}" if month else year
    return page(req, "bestsellers.html", rows=bestsellers(req.db, period), years=years, year=year,
                month=int(month) if month else 0, months=MONTHS, label=label)


# --- login -----------------------------------------------------------------------------------------

@router.route("/login", methods=("GET", "POST"))
def login(req: Request) -> Response:
    from mira.arena.app import login_session, session_cookie

    nxt = req.arg("next")
    nxt = nxt if nxt.startswith(PREFIX + "/") else PREFIX + "/"
    if req.method == "GET":
        return page(req, "login.html", next=nxt, username="")
    username = req.form.get("username", "").strip()[:80]
    row = req.db.one("SELECT id FROM admin_users WHERE username = ? AND password = ?",
                     (username, req.form.get("password", "")))
    if row is None:
        return page(req, "login.html", next=nxt, username=username, error="Invalid username or password.")
    resp = Response.redirect(nxt)
    resp.set_cookie(session_cookie(NAME), login_session(req.db, NAME, row["id"]))
    return resp


@router.route("/logout")
def logout(req: Request) -> Response:
    from mira.arena.app import session_cookie

    req.db.execute("DELETE FROM sessions WHERE token = ? AND site = ?", (req.cookies.get(session_cookie(NAME), ""), NAME))
    resp = Response.redirect(req.url("/login", msg="You have logged out."))
    resp.set_cookie(session_cookie(NAME), "")
    return resp


bad_id_pages(router, ("product", "order", "customer", "review"))
