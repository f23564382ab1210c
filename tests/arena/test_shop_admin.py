"""The shop admin site: grids, edits, order actions, moderation, reports, and bad inputs (never a 500)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from arena_http import Client

from mira.arena.server import ArenaServer
from mira.arena.sites import shop, shop_admin


@pytest.fixture(scope="module")
def srv() -> Iterator[ArenaServer]:
    with ArenaServer() as s:
        yield s


@pytest.fixture()
def admin(srv: ArenaServer) -> Client:
    srv.reset()
    return Client(srv, "shop_admin", shop_admin.DEFAULT_USER_ID)


@pytest.mark.parametrize("path, text", [
    ("/admin/", "Lifetime sales"),
    ("/admin/products?q=CLO-00", "records found"),
    ("/admin/products?page=5", "Page 5 of"),
    ("/admin/product/5", "Save Product"),
    ("/admin/orders?status=pending&customer=Emma+Lopez", "Order #"),
    ("/admin/order/7", "Grand total"),
    ("/admin/customers?q=lopez", "Emma Lopez"),
    ("/admin/customer/1", "Lifetime sales"),
    ("/admin/reviews", "Pending"),
    ("/admin/reviews?status=", "records found"),
    ("/admin/review/3", "Rating:"),
    ("/admin/reports/bestsellers?year=2025&month=3", "Bestsellers of March 2025"),
    ("/admin/reports/bestsellers?year=2024", "Bestsellers of 2024"),
])
def test_pages_render(admin: Client, path: str, text: str) -> None:
    r = admin.get(path)
    assert r.status == 200, r.body[:300]
    assert text in r.body


def test_grids_page_and_filter(admin: Client, srv: ArenaServer) -> None:
    n = srv.db.scalar("SELECT COUNT(*) FROM shop_orders o JOIN shop_customers c ON c.id = o.customer_id "
                      "WHERE o.status = 'complete' AND c.first_name = 'Emma' AND c.last_name = 'Lopez'")
    assert f"{n} records found" in admin.get("/admin/orders?status=complete&customer=Emma+Lopez").body
    first = admin.get("/admin/orders").body
    assert "Next" in first and "Previous" not in first.split("</nav>")[1]
    assert "Page 2 of 30" in admin.get("/admin/orders?page=2").body


def test_product_edit_shows_in_the_shop(admin: Client, srv: ArenaServer) -> None:
    r = admin.post("/admin/product/5", {"price": "12.34", "stock": "7", "status": "enabled"})
    assert r.status == 303
    assert "Price: $12.34" in admin.get("/admin/product/5").body
    me = Client(srv, "shop", shop.DEFAULT_USER_ID)
    assert "$12.34" in me.get("/shop/product/5").body
    assert admin.post("/admin/product/5", {"price": "12.34", "stock": "7", "status": "disabled"}).status == 303
    assert me.get("/shop/product/5").status == 404  # disabled products leave the storefront


def test_order_status_and_invoice(admin: Client, srv: ArenaServer) -> None:
    oid = srv.db.scalar("SELECT id FROM shop_orders WHERE status = 'pending' ORDER BY id LIMIT 1")
    assert admin.post(f"/admin/order/{oid}/invoice", {}).status == 303
    assert "Invoice #" in admin.get(f"/admin/order/{oid}").body
    assert srv.db.scalar("SELECT status FROM shop_orders WHERE id = ?", (oid,)) == "processing"
    assert admin.post(f"/admin/order/{oid}/invoice", {}).status == 400  # only one invoice per order
    assert admin.post(f"/admin/order/{oid}/status", {"status": "complete"}).status == 303
    assert "Status: Complete" in admin.get(f"/admin/order/{oid}").body


def test_review_moderation_reaches_the_shop(admin: Client, srv: ArenaServer) -> None:
    r = srv.db.one("SELECT * FROM shop_reviews WHERE status = 'pending' ORDER BY id LIMIT 1")
    me = Client(srv, "shop", shop.DEFAULT_USER_ID)
    assert r["title"] not in me.get(f"/shop/product/{r['product_id']}").body
    assert admin.post(f"/admin/review/{r['id']}/status", {"status": "approved"}).status == 303
    assert r["title"].replace("'", "&#39;") in me.get(f"/shop/product/{r['product_id']}").body
    assert admin.post(f"/admin/review/{r['id']}/status", {"status": "rejected"}).status == 303
    assert "Status: Rejected" in admin.get(f"/admin/review/{r['id']}").body


def test_bestsellers_report_matches_the_orders(admin: Client, srv: ArenaServer) -> None:
    top = srv.db.one("SELECT i.name, SUM(i.qty) AS q FROM shop_order_items i JOIN shop_orders o ON o.id = i.order_id "
                     "WHERE o.status != 'canceled' AND o.created LIKE '2025-03%' GROUP BY i.product_id "
                     "ORDER BY q DESC, i.name LIMIT 1")
    body = admin.get("/admin/reports/bestsellers?year=2025&month=3").body
    assert f"<td>1</td><td>{top['name']}</td><td>{top['q']}</td>".replace("&", "&amp;") in body


@pytest.mark.parametrize("form, error", [
    ({"price": "abc", "stock": "1", "status": "enabled"}, "Price is not valid"),
    ({"price": "0", "stock": "1", "status": "enabled"}, "Price must be greater than 0"),
    ({"price": "", "stock": "1", "status": "enabled"}, "Price is required"),
    ({"price": "10", "stock": "-3", "status": "enabled"}, "Quantity is not valid"),
    ({"price": "10", "stock": "1' OR '1'='1", "status": "enabled"}, "Quantity is too long"),
    ({"price": "10", "stock": "1'--", "status": "enabled"}, "Quantity is not valid"),
    ({"price": "10", "stock": "1", "status": "<b>on</b>"}, "Status must be Enabled or Disabled"),
    ({}, "Price is required"),
])
def test_product_form_rejects_bad_input(admin: Client, srv: ArenaServer, form: dict[str, str], error: str) -> None:
    before = tuple(srv.db.one("SELECT price, stock, status FROM shop_products WHERE id = 5"))
    r = admin.post("/admin/product/5", form)
    assert r.status == 200 and error in r.body, r.body[:300]
    assert tuple(srv.db.one("SELECT price, stock, status FROM shop_products WHERE id = 5")) == before


@pytest.mark.parametrize("method, path, form, status", [
    ("GET", "/admin/product/99999", None, 404),
    ("GET", "/admin/order/99999", None, 404),
    ("GET", "/admin/customer/99999", None, 404),
    ("GET", "/admin/review/99999", None, 404),
    ("GET", "/admin/products?page=x", None, 400),
    ("GET", "/admin/product/abc", None, 400),
    ("POST", "/admin/order/x/status", {"status": "complete"}, 400),
    ("GET", "/admin/orders?status=shipped", None, 400),
    ("GET", "/admin/reviews?status=spam", None, 400),
    ("GET", "/admin/reports/bestsellers?year=1999", None, 400),
    ("GET", "/admin/reports/bestsellers?year=2025&month=13", None, 400),
    ("POST", "/admin/order/7/status", {"status": "<script>"}, 400),
    ("POST", "/admin/review/3/status", {}, 400),
    ("POST", "/admin/review/99999/status", {"status": "approved"}, 404),
])
def test_bad_ids_are_clear_errors(admin: Client, method: str, path: str, form: dict[str, str] | None,
                                  status: int) -> None:
    r = admin.request(method, path, form)
    assert r.status == status, r.body[:300]


def test_admin_login_is_required(srv: ArenaServer) -> None:
    anon = Client(srv, "shop_admin", None)
    r = anon.get("/admin/orders")
    assert r.status == 303 and r.location.startswith("/admin/login")
    shopper = Client(srv, "shop", shop.DEFAULT_USER_ID)  # a shop session is no admin session
    assert shopper.get("/admin/").status == 303
    r = anon.post("/admin/login", {"username": "admin", "password": "admin1234", "next": "/admin/reviews"})
    assert r.status == 303 and r.location == "/admin/reviews"
    assert "Invalid username" in anon.post("/admin/login", {"username": "admin", "password": "' OR 1=1 --"}).body
