"""The `shop` site (as WebArena's OneStopShop): catalog, search, product pages, reviews, wish list, login.

Cart, checkout, orders and the account pages live in `_shop_orders.py` on the same router. All shop and
shop-admin tables are seeded here (`_shop_data.py`); the admin site reads and writes the same tables.
"""

from __future__ import annotations

import random
import re
from typing import Any

from mira.arena.db import NOW, Database
from mira.arena.sites._shop_data import SCHEMA as _SCHEMA
from mira.arena.sites._shop_data import seed_shop
from mira.arena.web import HTTPError, Request, Response, Router, render

NAME = "shop"
PREFIX = "/shop"
TITLE = "One Stop Market"
SCHEMA = _SCHEMA
DEFAULT_USERNAME = "emma.lopez"
"""The account tasks start logged in as (WebArena's shop account); its id is DEFAULT_USER_ID."""
DEFAULT_USER_ID = 1
PER_PAGE = 12
SORTS = {"name": ("Name", "p.name"), "price_asc": ("Price: low to high", "p.price, p.name"),
         "price_desc": ("Price: high to low", "p.price DESC, p.name"),
         "rating": ("Rating", "rating DESC, p.name"), "newest": ("Newest", "p.created DESC")}
"""Sort code -> (label, ORDER BY)."""

router = Router()


def require_user(req: Request) -> dict[str, Any]:
    """The logged-in customer, or a redirect to the login page (mira.arena.app imports the sites: import late)."""
    from mira.arena.app import require_user as _require

    return _require(req)


def seed(db: Database, rng: random.Random) -> None:
    seed_shop(db, rng)


def load_user(db: Database, user_id: int | str) -> dict[str, Any] | None:
    """A customer by id (or by username, so a session may name either)."""
    col = "username" if isinstance(user_id, str) and not user_id.isdigit() else "id"
    row = db.one(f"SELECT * FROM shop_customers WHERE {col} = ?", (user_id,))
    if row is None:
        return None
    return {**dict(row), "display": f"{row['first_name']} {row['last_name']}"}


class FormError(Exception):
    """A form field that fails validation; the message names the field and what is valid."""


def field(req: Request, name: str, label: str, *, max_len: int = 80, required: bool = True,
          pattern: str | None = None, hint: str = "", allow_markup: bool = False) -> str:
    """A validated text field of the posted form."""
    value = req.form.get(name, "").strip()
    if not value:
        if required:
            raise FormError(f"{label} is required.")
        return ""
    if len(value) > max_len:
        raise FormError(f"{label} is too long ({len(value)} characters; at most {max_len}).")
    if not allow_markup and re.search(r"[<>]", value):
        raise FormError(f"{label} may not contain < or >.")
    if pattern and not re.fullmatch(pattern, value):
        raise FormError(f"{label} is not valid: {hint}")
    return value


def page(req: Request, template: str, status: int = 200, **ctx: Any) -> Response:
    cart = 0
    if req.user is not None:
        cart = req.db.scalar("SELECT COALESCE(SUM(qty), 0) FROM shop_cart WHERE customer_id = ?", (req.user["id"],))
    resp = render(req, f"shop/{template}", site_title=TITLE, cart_count=cart, **ctx)
    resp.status = status
    return resp


def categories(db: Database) -> list[Any]:
    return db.query("SELECT c.id, c.name, COUNT(p.id) AS n FROM shop_categories c LEFT JOIN shop_products p "
                    "ON p.category_id = c.id AND p.status = 'enabled' GROUP BY c.id ORDER BY c.id")


RATING_SQL = ("(SELECT ROUND(AVG(r.rating), 1) FROM shop_reviews r WHERE r.product_id = p.id AND r.status = 'approved')")
COUNT_SQL = "(SELECT COUNT(*) FROM shop_reviews r WHERE r.product_id = p.id AND r.status = 'approved')"


def product_or_404(db: Database, pid: int, *, shop_only: bool = True) -> Any:
    row = db.one(f"SELECT p.*, c.name AS category, {RATING_SQL} AS rating, {COUNT_SQL} AS reviews "
                 "FROM shop_products p JOIN shop_categories c ON c.id = p.category_id WHERE p.id = ?", (pid,))
    if row is None or (shop_only and row["status"] != "enabled"):
        raise HTTPError(404, f"product {pid} does not exist")
    return row


# --- catalog ---------------------------------------------------------------------------------------

@router.route("/")
def home(req: Request) -> Response:
    featured = req.db.query(f"SELECT p.*, {RATING_SQL} AS rating, {COUNT_SQL} AS reviews FROM shop_products p "
                            "WHERE status = 'enabled' ORDER BY rating DESC, reviews DESC, p.id LIMIT 6")
    return page(req, "home.html", categories=categories(req.db), featured=featured)


@router.route("/category/<int:cid>")
def category(req: Request) -> Response:
    if req.db.one("SELECT 1 FROM shop_categories WHERE id = ?", (req.params["cid"],)) is None:
        raise HTTPError(404, f"category {req.params['cid']} does not exist")
    return listing(req, req.params["cid"])


@router.route("/search")
def search(req: Request) -> Response:
    raw = req.arg("category")
    if raw and not raw.isdigit():
        raise HTTPError(400, f"category must be a category number, got {raw[:40]!r}")
    return listing(req, int(raw) if raw else None)


def _price(req: Request, name: str, label: str, errors: list[str]) -> float | None:
    raw = req.arg(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e7:
        errors.append(f"{label} must be a number such as 25 or 19.99; got {raw[:40]!r}, so it was ignored.")
        return None
    return value


def listing(req: Request, cid: int | None) -> Response:
    q = req.arg("q")[:100]
    sort = req.arg("sort") or "name"
    if sort not in SORTS:
        raise HTTPError(400, f"sort must be one of {', '.join(SORTS)}, got {sort[:40]!r}")
    errors: list[str] = []
    lo, hi = _price(req, "min", "Min price", errors), _price(req, "max", "Max price", errors)
    where: list[str] = ["p.status = 'enabled'"]
    params: list[Any] = []
    for word in q.split():
        where.append("p.name LIKE ?")
        params.append(f"%{word}%")
    if cid is not None:
        where.append("p.category_id = ?")
        params.append(cid)
    if lo is not None:
        where.append("p.price >= ?")
        params.append(lo)
    if hi is not None:
        where.append("p.price <= ?")
        params.append(hi)
    cond = " AND ".join(where)
    total = req.db.scalar(f"SELECT COUNT(*) FROM shop_products p WHERE {cond}", tuple(params))
    pages = max(1, -(-total // PER_PAGE))
    pg = req.int_arg("page", 1, 1, pages)
    rows = req.db.query(f"SELECT p.*, {RATING_SQL} AS rating, {COUNT_SQL} AS reviews FROM shop_products p "
                        f"WHERE {cond} ORDER BY {SORTS[sort][1]} LIMIT ? OFFSET ?",
                        (*params, PER_PAGE, (pg - 1) * PER_PAGE))
    cat = req.db.one("SELECT * FROM shop_categories WHERE id = ?", (cid,)) if cid else None
    state = {"q": q, "category": cid or "", "min": req.arg("min")[:20], "max": req.arg("max")[:20], "sort": sort}
    path = f"/category/{cid}" if req.path.startswith("/category/") else "/search"
    return page(req, "listing.html", rows=rows, total=total, pg=pg, pages=pages, state=state, cat=cat, path=path,
                categories=categories(req.db), sorts=SORTS, error=" ".join(errors))


# --- product, reviews, wish list -------------------------------------------------------------------

@router.route("/product/<int:pid>")
def product(req: Request) -> Response:
    p = product_or_404(req.db, req.params["pid"])
    reviews = req.db.query("SELECT * FROM shop_reviews WHERE product_id = ? AND status = 'approved' "
                           "ORDER BY created DESC", (p["id"],))
    return page(req, "product.html", p=p, reviews=reviews, form={"qty": "1"})


@router.route("/product/<int:pid>/cart", methods=("POST",))
def add_to_cart(req: Request) -> Response:
    user = require_user(req)
    p = product_or_404(req.db, req.params["pid"])
    try:
        opts = []
        for key, label in (("sizes", "Size"), ("colors", "Color")):
            choices = p[key].split(",") if p[key] else []
            value = req.form.get(label.lower(), "").strip()
            if choices and value not in choices:
                raise FormError(f"Please choose a {label.lower()}: one of {', '.join(choices)}.")
            if choices:
                opts.append(f"{label}: {value}")
        qty = req.form.get("qty", "1").strip() or "1"
        if not re.fullmatch(r"\d{1,3}", qty) or not 1 <= int(qty) <= 99:
            raise FormError(f"Qty must be a whole number from 1 to 99; got {qty[:40]!r}.")
        if int(qty) > p["stock"]:
            raise FormError("This product is out of stock." if p["stock"] == 0 else f"Only {p['stock']} left in stock.")
    except FormError as e:
        reviews = req.db.query("SELECT * FROM shop_reviews WHERE product_id = ? AND status = 'approved' "
                               "ORDER BY created DESC", (p["id"],))
        return page(req, "product.html", p=p, reviews=reviews, error=str(e), form=req.form)
    options = ", ".join(opts)
    line = req.db.one("SELECT id FROM shop_cart WHERE customer_id = ? AND product_id = ? AND options = ?",
                      (user["id"], p["id"], options))
    if line:
        req.db.execute("UPDATE shop_cart SET qty = MIN(99, qty + ?) WHERE id = ?", (int(qty), line["id"]))
    else:
        req.db.execute("INSERT INTO shop_cart (customer_id, product_id, qty, options) VALUES (?, ?, ?, ?)",
                       (user["id"], p["id"], int(qty), options))
    return Response.redirect(req.url("/cart", msg=f"You added {p['name']} to your shopping cart."))


@router.route("/product/<int:pid>/wishlist", methods=("POST",))
def add_to_wishlist(req: Request) -> Response:
    user = require_user(req)
    p = product_or_404(req.db, req.params["pid"])
    req.db.execute("INSERT OR IGNORE INTO shop_wishlist VALUES (?, ?, ?)", (user["id"], p["id"], NOW))
    return Response.redirect(req.url("/wishlist", msg=f"{p['name']} has been added to your wish list."))


@router.route("/wishlist")
def wishlist(req: Request) -> Response:
    user = require_user(req)
    rows = req.db.query("SELECT p.* FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
                        "WHERE w.customer_id = ? ORDER BY w.created, p.name", (user["id"],))
    return page(req, "wishlist.html", rows=rows)


@router.route("/wishlist/remove", methods=("POST",))
def remove_from_wishlist(req: Request) -> Response:
    user = require_user(req)
    pid = req.int_arg("product_id", 0)
    row = req.db.one("SELECT p.name FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
                     "WHERE w.customer_id = ? AND w.product_id = ?", (user["id"], pid))
    if row is None:
        raise HTTPError(404, f"product {pid} is not in your wish list")
    req.db.execute("DELETE FROM shop_wishlist WHERE customer_id = ? AND product_id = ?", (user["id"], pid))
    return Response.redirect(req.url("/wishlist", msg=f"{row['name']} was removed from your wish list."))


@router.route("/product/<int:pid>/review", methods=("GET", "POST"))
def write_review(req: Request) -> Response:
    user = require_user(req)
    p = product_or_404(req.db, req.params["pid"])
    if req.method == "GET":
        return page(req, "review_form.html", p=p, form={"nickname": user["first_name"]})
    try:
        rating = req.form.get("rating", "").strip()
        if rating not in ("1", "2", "3", "4", "5"):
            raise FormError("Rating is required: choose 1 to 5 stars.")
        nickname = field(req, "nickname", "Nickname", max_len=40)
        title = field(req, "title", "Summary", max_len=100)
        body = field(req, "body", "Review", max_len=2000, allow_markup=True)
        if len(body) < 10:
            raise FormError("Review is too short (at least 10 characters).")
    except FormError as e:
        return page(req, "review_form.html", p=p, form=req.form, error=str(e))
    req.db.execute("INSERT INTO shop_reviews (product_id, customer_id, nickname, rating, title, body, status, created) "
                   "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)", (p["id"], user["id"], nickname, int(rating), title, body, NOW))
    return Response.redirect(req.url(f"/product/{p['id']}", msg="Thank you: your review was submitted for moderation."))


# --- login -----------------------------------------------------------------------------------------

@router.route("/login", methods=("GET", "POST"))
def login(req: Request) -> Response:
    nxt = req.arg("next")
    nxt = nxt if nxt.startswith(PREFIX + "/") else PREFIX + "/"
    if req.method == "GET":
        return page(req, "login.html", next=nxt, username="")
    username = req.form.get("username", "").strip()[:80]
    row = req.db.one("SELECT id FROM shop_customers WHERE username = ? AND password = ?",
                     (username, req.form.get("password", "")))
    if row is None:
        return page(req, "login.html", next=nxt, username=username, error="Invalid username or password.")
    from mira.arena.app import login_session, session_cookie

    resp = Response.redirect(nxt)
    resp.set_cookie(session_cookie(NAME), login_session(req.db, NAME, row["id"]))
    return resp


@router.route("/logout")
def logout(req: Request) -> Response:
    from mira.arena.app import session_cookie

    token = req.cookies.get(session_cookie(NAME), "")
    req.db.execute("DELETE FROM sessions WHERE token = ? AND site = ?", (token, NAME))
    resp = Response.redirect(req.url("/", msg="You are signed out."))
    resp.set_cookie(session_cookie(NAME), "")
    return resp


from mira.arena.sites import _shop_orders  # noqa: E402,F401  (registers cart/checkout/orders/account pages)
