"""The shop site: seeded data, pages, a purchase end to end, and a table of bad inputs (never a 500)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
from arena_http import Client

from mira.arena.db import NOW, Database, _connect
from mira.arena.server import ArenaServer
from mira.arena.sites import shop, shop_admin

ME = shop.DEFAULT_USER_ID


@pytest.fixture(scope="module")
def srv() -> Iterator[ArenaServer]:
    with ArenaServer() as s:
        yield s


@pytest.fixture()
def me(srv: ArenaServer) -> Client:
    srv.reset()
    return Client(srv, "shop", ME)


def _seeded(seed: int) -> Database:
    db = Database(_connect())
    db.conn.executescript(shop.SCHEMA + shop_admin.SCHEMA)
    shop.seed(db, random.Random(seed))
    shop_admin.seed(db, random.Random(seed))
    return db


def _dump(db: Database) -> list[tuple[object, ...]]:
    tables = ["shop_products", "shop_customers", "shop_orders", "shop_order_items", "shop_reviews", "shop_wishlist"]
    return [tuple(r) for t in tables for r in db.query(f"SELECT * FROM {t}")]


def test_seed_is_deterministic_big_and_fast() -> None:
    t = time.process_time()
    a = _seeded(7)
    elapsed = time.process_time() - t
    assert _dump(a) == _dump(_seeded(7))
    assert _dump(a) != _dump(_seeded(8))
    counts = {t: a.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("shop_products", "shop_customers", "shop_orders",
                                                                  "shop_reviews", "shop_categories")}
    assert counts["shop_products"] >= 300 and counts["shop_customers"] >= 150 and counts["shop_orders"] >= 300
    assert counts["shop_reviews"] >= 300 and counts["shop_categories"] == 10
    assert a.scalar("SELECT MAX(created) FROM shop_orders") < NOW
    assert a.scalar("SELECT MIN(created) FROM shop_orders") >= "2024-01-01"
    assert a.scalar("SELECT COUNT(DISTINCT status) FROM shop_orders") == 4
    assert a.one("SELECT username FROM shop_customers WHERE id = ?", (ME,))["username"] == shop.DEFAULT_USERNAME
    assert elapsed < 0.6, f"seeding took {elapsed:.2f} s of CPU"


@pytest.mark.parametrize("path, text", [
    ("/shop/", "Shop by category"),
    ("/shop/search?q=yoga+mat&sort=price_asc", "products found"),
    ("/shop/category/3?page=2", "Page 2 of"),
    ("/shop/search?category=1&min=20&max=60&sort=rating", "Clothing"),
    ("/shop/product/5", "Customer Reviews"),
    ("/shop/product/5/review", "Write a review of"),
    ("/shop/cart", "Shopping Cart"),
    ("/shop/orders?page=2", "Page 2 of"),
    ("/shop/account", "Default address"),
    ("/shop/account/edit", "Edit Account Information"),
    ("/shop/account/reviews", "My Product Reviews"),
    ("/shop/wishlist", "My Wish List"),
])
def test_pages_render(me: Client, path: str, text: str) -> None:
    r = me.get(path)
    assert r.status == 200, r.body[:300]
    assert text in r.body
    assert "<script" not in r.body


def test_search_filters_sort_and_pages(me: Client, srv: ArenaServer) -> None:
    body = me.get("/shop/search?category=2&max=50&sort=price_asc").body
    n = srv.db.scalar("SELECT COUNT(*) FROM shop_products WHERE category_id = 2 AND price <= 50 AND status = 'enabled'")
    assert f"{n} products found" in body
    cheapest = srv.db.scalar("SELECT name FROM shop_products WHERE category_id = 2 AND status = 'enabled' "
                             "ORDER BY price, name LIMIT 1")
    assert body.index(cheapest.replace("&", "&amp;")) < body.index("Next") if n > 12 else cheapest in body
    assert "Previous" in me.get("/shop/search?page=2").body


def test_purchase_shows_up_in_order_history_and_admin(me: Client, srv: ArenaServer) -> None:
    p = srv.db.one("SELECT * FROM shop_products WHERE sizes != '' AND colors != '' AND stock >= 5 AND status = 'enabled'")
    size, color = p["sizes"].split(",")[0], p["colors"].split(",")[-1]
    r = me.post(f"/shop/product/{p['id']}/cart", {"size": size, "color": color, "qty": "2"})
    assert r.status == 303 and "/shop/cart" in r.location
    assert f"Size: {size}, Color: {color}" in me.get("/shop/cart").body
    r = me.post("/shop/checkout", {"ship_name": "Maria Chen", "address": "12 Oak Street", "city": "Austin",
                                   "zip": "78701", "shipping": "express"})
    assert r.status == 303, r.body[:500]
    oid = int(r.location.split("/order/")[1].split("?")[0])
    order = me.get(f"/shop/order/{oid}").body
    assert "Maria Chen, 12 Oak Street, Austin 78701" in order and f"{p['price'] * 2 + 15:,.2f}" in order
    assert srv.db.scalar("SELECT stock FROM shop_products WHERE id = ?", (p["id"],)) == p["stock"] - 2
    assert srv.db.scalar("SELECT COUNT(*) FROM shop_cart WHERE customer_id = ?", (ME,)) == 0
    admin = Client(srv, "shop_admin", shop_admin.DEFAULT_USER_ID)
    assert "Maria Chen" in admin.get(f"/admin/order/{oid}").body
    assert me.post(f"/shop/order/{oid}/cancel", {}).status == 303
    assert srv.db.scalar("SELECT status FROM shop_orders WHERE id = ?", (oid,)) == "canceled"


def test_wishlist_review_and_account(me: Client, srv: ArenaServer) -> None:
    assert me.post("/shop/product/7/wishlist", {}).status == 303
    name = srv.db.scalar("SELECT name FROM shop_products WHERE id = 7")
    assert name.replace("&", "&amp;") in me.get("/shop/wishlist").body
    assert me.post("/shop/wishlist/remove", {"product_id": "7"}).status == 303
    r = me.post("/shop/product/7/review", {"rating": "4", "nickname": "Em", "title": "Nice one",
                                            "body": "Sturdy and <b>cheap</b>; 'quoted' too."})
    assert r.status == 303
    assert "Nice one" in me.get("/shop/account/reviews").body
    assert srv.db.scalar("SELECT status FROM shop_reviews WHERE title = 'Nice one'") == "pending"
    r = me.post("/shop/account/edit", {"first_name": "Emma", "last_name": "Lopez", "email": "emma@example.org",
                                       "address": "1 Elm Drive", "city": "Boston", "zip": "02108"})
    assert r.status == 303
    assert "1 Elm Drive, Boston 02108" in me.get("/shop/account").body


PRODUCT_FORM = {"size": "SIZE", "color": "COLOR", "qty": "1"}
"""SIZE and COLOR stand for valid options of product 1."""
CHECKOUT = {"ship_name": "A B", "address": "1 Main Street", "city": "Austin", "zip": "78701", "shipping": "standard"}
HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize("path, form, error", [
    ("/shop/product/1/cart", {**PRODUCT_FORM, "qty": "abc"}, "Qty must be a whole number"),
    ("/shop/product/1/cart", {**PRODUCT_FORM, "qty": "0"}, "Qty must be a whole number"),
    ("/shop/product/1/cart", {**PRODUCT_FORM, "size": ""}, "Please choose a size"),
    ("/shop/product/1/cart", {**PRODUCT_FORM, "size": "' OR 1=1 --"}, "Please choose a size"),
    ("/shop/product/1/review", {"rating": "9", "nickname": "x", "title": "t", "body": "long enough text"}, "Rating is"),
    ("/shop/product/1/review", {"rating": "5", "nickname": HOSTILE, "title": "t", "body": "long enough text"},
     "Nickname may not contain"),
    ("/shop/product/1/review", {"rating": "5", "nickname": "x", "title": "t" * 500, "body": "long enough"}, "too long"),
    ("/shop/product/1/review", {"rating": "5", "nickname": "x", "title": "", "body": "long enough"}, "Summary is required"),
    ("/shop/account/edit", {"first_name": "E", "last_name": "L", "email": "not-an-email", "address": "a", "city": "c",
                            "zip": "02108"}, "Email is not valid"),
    ("/shop/account/edit", {"first_name": "E", "last_name": "L", "email": "liam.smith@example.com", "address": "a",
                            "city": "c", "zip": "1"}, "ZIP code is not valid"),
    ("/shop/account/edit", {}, "First name is required"),
])
def test_bad_form_input_is_a_validation_error(me: Client, srv: ArenaServer, path: str, form: dict[str, str],
                                              error: str) -> None:
    before = srv.db.scalar("SELECT COUNT(*) FROM shop_reviews") + srv.db.scalar("SELECT COUNT(*) FROM shop_cart")
    p = srv.db.one("SELECT sizes, colors FROM shop_products WHERE id = 1")
    valid = {"SIZE": p["sizes"].split(",")[0], "COLOR": p["colors"].split(",")[0]}
    r = me.post(path, {k: valid.get(v, v) for k, v in form.items()})
    assert r.status == 200, r.body[:300]
    assert error in r.body and 'role="alert"' in r.body
    assert "<script>alert" not in r.body
    assert srv.db.scalar("SELECT COUNT(*) FROM shop_reviews") + srv.db.scalar("SELECT COUNT(*) FROM shop_cart") == before


def test_checkout_validation(me: Client, srv: ArenaServer) -> None:
    assert "Your shopping cart is empty" in me.post("/shop/checkout", CHECKOUT).body
    pid = srv.db.scalar("SELECT id FROM shop_products WHERE sizes = '' AND colors = '' AND stock > 3 AND status = 'enabled'")
    assert me.post(f"/shop/product/{pid}/cart", {"qty": "1"}).status == 303
    for form, error in [({**CHECKOUT, "zip": "abc"}, "ZIP code is not valid"),
                        ({**CHECKOUT, "ship_name": ""}, "Full name is required"),
                        ({**CHECKOUT, "shipping": "teleport"}, "Shipping method must be one of"),
                        ({**CHECKOUT, "address": HOSTILE}, "may not contain"),
                        ({k: v for k, v in CHECKOUT.items() if k != "city"}, "City is required")]:
        r = me.post("/shop/checkout", form)
        assert r.status == 200 and error in r.body, (form, r.body[:300])
    assert srv.db.scalar("SELECT COUNT(*) FROM shop_orders WHERE created = '2026-06-15 12:00:00'") == 0


@pytest.mark.parametrize("method, path, form, status", [
    ("GET", "/shop/product/99999", None, 404),
    ("GET", "/shop/category/99", None, 404),
    ("GET", "/shop/order/99999", None, 404),
    ("GET", "/shop/order/2", None, 404),  # another customer's order
    ("GET", "/shop/product/abc", None, 400),
    ("POST", "/shop/product/1x/cart", {"qty": "1"}, 400),
    ("GET", "/shop/order/%27%20OR%201", None, 400),
    ("GET", "/shop/search?page=abc", None, 400),
    ("GET", "/shop/search?category=x", None, 400),
    ("GET", "/shop/search?sort=%27%3BDROP+TABLE+shop_products", None, 400),
    ("POST", "/shop/cart/update", {"qty_1": "x"}, 200),  # empty cart: nothing to update
    ("POST", "/shop/cart/update", {"remove": "999"}, 404),
    ("POST", "/shop/wishlist/remove", {"product_id": "x"}, 400),
    ("POST", "/shop/order/2/cancel", {}, 404),
])
def test_bad_ids_are_clear_errors(me: Client, method: str, path: str, form: dict[str, str] | None, status: int) -> None:
    r = me.request(method, path, form)
    assert r.status in (status, 303), r.body[:300]
    assert r.status != 500


def test_price_filter_garbage_is_ignored_with_a_message(me: Client) -> None:
    r = me.get("/shop/search?min=cheap&max=" + "9" * 40)
    assert r.status == 200 and "Min price must be a number" in r.body and "Max price must be a number" in r.body


def test_login_is_required_and_works(srv: ArenaServer) -> None:
    anon = Client(srv, "shop", None)
    r = anon.get("/shop/cart")
    assert r.status == 303 and r.location.startswith("/shop/login")
    assert "Invalid username or password" in anon.post("/shop/login", {"username": "emma.lopez", "password": "x"}).body
    r = anon.post("/shop/login", {"username": "emma.lopez", "password": "password123", "next": "/shop/orders"})
    assert r.status == 303 and r.location == "/shop/orders"
    r = anon.post("/shop/login", {"username": "emma.lopez", "password": "password123", "next": "http://evil.example/"})
    assert r.location == "/shop/"
