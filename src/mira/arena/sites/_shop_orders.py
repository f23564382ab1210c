"""The shop's cart, checkout, order history and account pages (registered on `shop.router`)."""

from __future__ import annotations

import re
from typing import Any

from mira.arena.db import NOW
from mira.arena.sites._shop_data import SHIPPING
from mira.arena.sites.shop import FormError, field, page, require_user, router
from mira.arena.web import HTTPError, Request, Response

ORDERS_PER_PAGE = 10
EMAIL = r"[^@\s<>]{1,64}@[A-Za-z0-9.-]{1,60}\.[A-Za-z]{2,10}"
ZIP = r"\d{5}"


def cart_lines(req: Request, customer_id: int) -> list[Any]:
    return req.db.query("SELECT c.*, p.name, p.price, p.stock, p.price * c.qty AS subtotal FROM shop_cart c "
                        "JOIN shop_products p ON p.id = c.product_id WHERE c.customer_id = ? ORDER BY c.id",
                        (customer_id,))


@router.route("/cart")
def cart(req: Request) -> Response:
    user = require_user(req)
    lines = cart_lines(req, user["id"])
    return page(req, "cart.html", lines=lines, subtotal=sum(x["subtotal"] for x in lines))


@router.route("/cart/update", methods=("POST",))
def update_cart(req: Request) -> Response:
    user = require_user(req)
    lines = cart_lines(req, user["id"])
    remove = req.form.get("remove", "").strip()
    if remove:
        if not remove.isdigit() or not any(x["id"] == int(remove) for x in lines):
            raise HTTPError(404, f"cart item {remove[:40]!r} is not in your cart")
        req.db.execute("DELETE FROM shop_cart WHERE id = ?", (int(remove),))
        return Response.redirect(req.url("/cart", msg="The item was removed from your cart."))
    new: dict[int, int] = {}
    for x in lines:
        raw = req.form.get(f"qty_{x['id']}", str(x["qty"])).strip()
        if not re.fullmatch(r"\d{1,3}", raw) or int(raw) > 99:
            raise HTTPError(400, f"Qty of {x['name']} must be a whole number from 0 to 99, got {raw[:40]!r}")
        if int(raw) > x["stock"]:
            return page(req, "cart.html", lines=lines, subtotal=sum(y["subtotal"] for y in lines),
                        error=f"Only {x['stock']} of {x['name']} left in stock.")
        new[x["id"]] = int(raw)
    for line_id, qty in new.items():
        if qty == 0:
            req.db.execute("DELETE FROM shop_cart WHERE id = ?", (line_id,))
        else:
            req.db.execute("UPDATE shop_cart SET qty = ? WHERE id = ?", (qty, line_id))
    return Response.redirect(req.url("/cart", msg="Your shopping cart was updated."))


@router.route("/checkout", methods=("GET", "POST"))
def checkout(req: Request) -> Response:
    user = require_user(req)
    lines = cart_lines(req, user["id"])
    subtotal = round(sum(x["subtotal"] for x in lines), 2)
    form = {"ship_name": user["display"], "address": user["address"], "city": user["city"], "zip": user["zip"],
            "shipping": "standard"}
    if req.method == "GET" or not lines:
        error = "" if lines else "Your shopping cart is empty: add products before checking out."
        return page(req, "checkout.html", lines=lines, subtotal=subtotal, form=form, shipping=SHIPPING, error=error)
    try:
        values = {
            "ship_name": field(req, "ship_name", "Full name", max_len=80),
            "address": field(req, "address", "Street address", max_len=120),
            "city": field(req, "city", "City", max_len=60),
            "zip": field(req, "zip", "ZIP code", max_len=5, pattern=ZIP, hint="5 digits, e.g. 02108."),
        }
        method = req.form.get("shipping", "").strip()
        if method not in SHIPPING:
            raise FormError(f"Shipping method must be one of: {', '.join(v[0] for v in SHIPPING.values())}.")
        for x in lines:
            if x["qty"] > x["stock"]:
                raise FormError(f"Only {x['stock']} of {x['name']} left in stock; update your cart.")
    except FormError as e:
        return page(req, "checkout.html", lines=lines, subtotal=subtotal, form={**form, **req.form},
                    shipping=SHIPPING, error=str(e))
    cost = SHIPPING[method][1]
    oid = req.db.execute(
        "INSERT INTO shop_orders (customer_id, created, status, ship_name, address, city, zip, shipping_method, "
        "shipping_cost, subtotal, total) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
        (user["id"], NOW, values["ship_name"], values["address"], values["city"], values["zip"], method, cost,
         subtotal, round(subtotal + cost, 2)))
    for x in lines:
        req.db.execute("INSERT INTO shop_order_items (order_id, product_id, name, price, qty, options) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (oid, x["product_id"], x["name"], x["price"], x["qty"], x["options"]))
        req.db.execute("UPDATE shop_products SET stock = stock - ? WHERE id = ?", (x["qty"], x["product_id"]))
    req.db.execute("DELETE FROM shop_cart WHERE customer_id = ?", (user["id"],))
    return Response.redirect(req.url(f"/order/{oid}", msg=f"Thank you for your purchase! Your order number is {oid}."))


@router.route("/orders")
def orders(req: Request) -> Response:
    user = require_user(req)
    total = req.db.scalar("SELECT COUNT(*) FROM shop_orders WHERE customer_id = ?", (user["id"],))
    pages = max(1, -(-total // ORDERS_PER_PAGE))
    pg = req.int_arg("page", 1, 1, pages)
    rows = req.db.query("SELECT * FROM shop_orders WHERE customer_id = ? ORDER BY created DESC, id DESC "
                        "LIMIT ? OFFSET ?", (user["id"], ORDERS_PER_PAGE, (pg - 1) * ORDERS_PER_PAGE))
    return page(req, "orders.html", rows=rows, pg=pg, pages=pages, total=total)


def own_order(req: Request, oid: int) -> Any:
    user = require_user(req)
    row = req.db.one("SELECT * FROM shop_orders WHERE id = ? AND customer_id = ?", (oid, user["id"]))
    if row is None:
        raise HTTPError(404, f"order {oid} does not exist in your account")
    return row


@router.route("/order/<int:oid>")
def order(req: Request) -> Response:
    o = own_order(req, req.params["oid"])
    items = req.db.query("SELECT * FROM shop_order_items WHERE order_id = ? ORDER BY id", (o["id"],))
    return page(req, "order.html", o=o, items=items, shipping=SHIPPING)


@router.route("/order/<int:oid>/cancel", methods=("POST",))
def cancel_order(req: Request) -> Response:
    o = own_order(req, req.params["oid"])
    if o["status"] != "pending":
        raise HTTPError(400, f"order {o['id']} is {o['status']}; only pending orders can be canceled")
    req.db.execute("UPDATE shop_orders SET status = 'canceled' WHERE id = ?", (o["id"],))
    for it in req.db.query("SELECT product_id, qty FROM shop_order_items WHERE order_id = ?", (o["id"],)):
        req.db.execute("UPDATE shop_products SET stock = stock + ? WHERE id = ?", (it["qty"], it["product_id"]))
    return Response.redirect(req.url(f"/order/{o['id']}", msg=f"Order #{o['id']} was canceled."))


@router.route("/account")
def account(req: Request) -> Response:
    user = require_user(req)
    recent = req.db.query("SELECT * FROM shop_orders WHERE customer_id = ? ORDER BY created DESC, id DESC LIMIT 3",
                          (user["id"],))
    return page(req, "account.html", u=user, recent=recent)


@router.route("/account/edit", methods=("GET", "POST"))
def edit_account(req: Request) -> Response:
    user = require_user(req)
    if req.method == "GET":
        return page(req, "account_edit.html", form=user)
    try:
        values = {
            "first_name": field(req, "first_name", "First name", max_len=40),
            "last_name": field(req, "last_name", "Last name", max_len=40),
            "email": field(req, "email", "Email", max_len=120, pattern=EMAIL, hint="an address like name@example.com."),
            "address": field(req, "address", "Street address", max_len=120),
            "city": field(req, "city", "City", max_len=60),
            "zip": field(req, "zip", "ZIP code", max_len=5, pattern=ZIP, hint="5 digits, e.g. 02108."),
        }
        if req.db.one("SELECT 1 FROM shop_customers WHERE email = ? AND id != ?", (values["email"], user["id"])):
            raise FormError("Email is already used by another account.")
    except FormError as e:
        return page(req, "account_edit.html", form={**user, **req.form}, error=str(e))
    req.db.execute("UPDATE shop_customers SET first_name = ?, last_name = ?, email = ?, address = ?, city = ?, zip = ? "
                   "WHERE id = ?", (*values.values(), user["id"]))
    return Response.redirect(req.url("/account", msg="You saved the account information."))


@router.route("/account/reviews")
def my_reviews(req: Request) -> Response:
    user = require_user(req)
    rows = req.db.query("SELECT r.*, p.name AS product FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id "
                        "WHERE r.customer_id = ? ORDER BY r.created DESC, r.id DESC", (user["id"],))
    return page(req, "my_reviews.html", rows=rows)


def bad_id_pages(site_router: Any, kinds: tuple[str, ...]) -> None:
    """400 pages for non-numeric ids (`/product/abc`), registered after the real routes so they only catch those."""
    for kind in kinds:
        def handler(req: Request, kind: str = kind) -> Response:
            raise HTTPError(400, f"{kind} id must be a whole number, got {req.params['bad'][:40]!r}")

        site_router.route(f"/{kind}/<bad>", methods=("GET", "POST"))(handler)
        site_router.route(f"/{kind}/<bad>/<path:rest>", methods=("GET", "POST"))(handler)


bad_id_pages(router, ("product", "category", "order"))
