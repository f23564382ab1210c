"""Shop task templates that change the site's state: cart, wish list, reviews, account, checkout."""

from __future__ import annotations

import random
from typing import Any

from mira.arena.db import Database
from mira.arena.oracle import click, select, type_into
from mira.arena.sites._shop_data import CITIES, SHIPPING, STREETS
from mira.arena.tasks import OracleGen, TaskSpec, TaskTemplate, register
from mira.arena.tasks._shopkit import (
    ME,
    SHOP,
    add_to_cart,
    db,
    fill_checkout,
    html_eval,
    money,
    ms,
    open_product,
    page_of,
    pick_products,
)
from mira.types import Observation

SIZED = "AND sizes != '' AND colors != '' AND stock >= 5"
PLAIN = "AND sizes = '' AND colors = '' AND stock >= 5"
NAMES = ["Maria Chen", "David Okafor", "Sara Novak", "Tom Becker", "Aisha Rahman", "Leo Rossi", "Nina Petrov",
         "Omar Haddad", "Julia Santos", "Ken Watanabe", "Eva Lindqvist", "Raj Patel"]
METHODS = {code: label.split(" (")[0] for code, (label, _) in SHIPPING.items()}


def _pid(db_: Database, name: str) -> int:
    return int(db_.scalar("SELECT id FROM shop_products WHERE name = ?", (name,)))


def _price(db_: Database, name: str) -> float:
    return float(db_.scalar("SELECT price FROM shop_products WHERE name = ?", (name,)))


def _opts(size: str, color: str) -> str:
    return ", ".join(x for x in (f"Size: {size}" if size else "", f"Color: {color}" if color else "") if x)


def _in_cart(db_: Database, name: str, options: str | None = None, qty: int | None = None) -> dict[str, Any]:
    sql = "SELECT COUNT(*) FROM shop_cart WHERE customer_id = ? AND product_id = ?"
    params: list[Any] = [ME, _pid(db_, name)]
    if options is not None:
        sql += " AND options = ?"
        params.append(options)
    if qty is not None:
        sql += " AND qty = ?"
        params.append(qty)
    return db(sql, *params)


def _variant(rng: random.Random, p: Any) -> tuple[str, str]:
    return rng.choice(p["sizes"].split(",")), rng.choice(p["colors"].split(","))


# --- 111: add to cart with options ----------------------------------------------------------------

def _cart_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for p in pick_products(db_, rng, 12, SIZED):
        size, color = _variant(rng, p)
        out.append({"product": p["name"], "size": size, "color": color, "qty": rng.choice([1, 2, 3])})
    return out


def _cart_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    name, opts = inst["product"], _opts(inst["size"], inst["color"])
    return TaskSpec(f"{SHOP}/", html_eval((f"{SHOP}/cart", "cart", [name, opts]),
                                          (f"{SHOP}/cart", "cart-subtotal", [money(_price(db_, name) * inst["qty"])])), [
        ms(f"Open the product page of {name}", page_of(f"/shop/product/{_pid(db_, name)}")),
        ms(f"Add {name} to the cart", _in_cart(db_, name)),
        ms(f"Have {inst['qty']} of it in size {inst['size']} and color {inst['color']} in the cart",
           _in_cart(db_, name, opts, inst["qty"]))])


def _cart_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    yield from add_to_cart(obs, inst["product"], inst["size"], inst["color"], inst["qty"])
    yield "stop []"


register(TaskTemplate(111, ("shop",), "Add {{qty}} {{product}} in size {{size}} and color {{color}} to my cart.", "state",
                      _cart_inst, _cart_build, _cart_solve))


# --- 112, 117, 121: wish list ----------------------------------------------------------------------

def _wish_inst(inside: bool, where: str = "") -> Any:
    def instances(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
        cond = f"AND id {'' if inside else 'NOT'} IN (SELECT product_id FROM shop_wishlist WHERE customer_id = {ME})"
        return [{"product": p["name"]} for p in pick_products(db_, rng, 12, cond + where)]
    return instances


def _wished(db_: Database, name: str, yes: bool) -> dict[str, Any]:
    return db(f"SELECT {'' if yes else 'NOT'} EXISTS (SELECT 1 FROM shop_wishlist WHERE customer_id = ? "
              "AND product_id = ?)", ME, _pid(db_, name))


def _wish_add_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    name = inst["product"]
    return TaskSpec(f"{SHOP}/", html_eval((f"{SHOP}/wishlist", "wishlist", [name])), [
        ms(f"Open the product page of {name}", page_of(f"/shop/product/{_pid(db_, name)}")),
        ms(f"Add {name} to the wish list", _wished(db_, name, True))])


def _wish_add_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from open_product(obs, inst["product"])
    obs = yield click(obs, "button", "Add to Wish List")
    yield "stop []"


register(TaskTemplate(112, ("shop",), "Add {{product}} to my wish list.", "state", _wish_inst(False),
                      _wish_add_build, _wish_add_solve))


def _wish_remove_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    name = inst["product"]
    return TaskSpec(f"{SHOP}/", html_eval(("last", "", [f"{name} was removed from your wish list"])), [
        ms("Open My Wish List", page_of("/shop/wishlist")),
        ms(f"Remove {name} from the wish list", _wished(db_, name, False))])


def _wish_remove_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", "My Wish List")
    obs = yield click(obs, "button", f"Remove {inst['product']}")
    yield "stop []"


register(TaskTemplate(117, ("shop",), "Remove {{product}} from my wish list.", "state", _wish_inst(True),
                      _wish_remove_build, _wish_remove_solve))


def _move_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for inst in _wish_inst(True, "AND stock >= 1")(db_, rng):
        p = db_.one("SELECT * FROM shop_products WHERE name = ?", (inst["product"],))
        assert p is not None
        size = rng.choice(p["sizes"].split(",")) if p["sizes"] else ""
        color = rng.choice(p["colors"].split(",")) if p["colors"] else ""
        words = " and ".join(x for x in (f"size {size}" if size else "", f"color {color}" if color else "") if x)
        out.append({"product": p["name"], "options": f" ({words})" if words else "", "size": size, "color": color})
    return out


def _move_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    name, opts = inst["product"], _opts(inst["size"], inst["color"])
    return TaskSpec(f"{SHOP}/", html_eval((f"{SHOP}/cart", "cart", [name, opts] if opts else [name])), [
        ms("Open My Wish List", page_of("/shop/wishlist")),
        ms(f"Add {name} to the cart", _in_cart(db_, name, opts)),
        ms(f"Remove {name} from the wish list", _wished(db_, name, False))])


def _move_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", "My Wish List")
    obs = yield click(obs, "link", inst["product"])
    for box in ("size", "color"):
        if inst[box]:
            obs = yield select(obs, "combobox", box.capitalize(), inst[box])
    obs = yield click(obs, "button", "Add to Cart")
    obs = yield click(obs, "link", "My Wish List")
    obs = yield click(obs, "button", f"Remove {inst['product']}")
    yield "stop []"


register(TaskTemplate(121, ("shop",), "Move {{product}}{{options}} from my wish list to my cart.", "state", _move_inst,
                      _move_build, _move_solve, test_only=True))


# --- 113: write a review ---------------------------------------------------------------------------

REVIEWS = [("Great for daily use", "I have used it every day for a month and it still looks new."),
           ("Smaller than expected", "Decent quality, but it is smaller than the photos suggest."),
           ("Would buy again", "Good value for the money and it arrived two days early."),
           ("Not worth the price", "It works, but the finish scratched within the first week."),
           ("My new favorite", "Comfortable, well made and the color is exactly as pictured.")]


def _review_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for p in pick_products(db_, rng, 12):
        title, body = rng.choice(REVIEWS)
        out.append({"product": p["name"], "rating": rng.randint(1, 5), "title": title, "body": body})
    return out


def _review_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    name, pid = inst["product"], _pid(db_, inst["product"])
    return TaskSpec(f"{SHOP}/", html_eval((f"{SHOP}/account/reviews", "my-reviews", [name, inst["title"]])), [
        ms(f"Open the product page of {name}", page_of(f"/shop/product/{pid}")),
        ms("Open the review form", page_of(f"/shop/product/{pid}/review")),
        ms(f"Submit a {inst['rating']}-star review titled '{inst['title']}'",
           db("SELECT COUNT(*) FROM shop_reviews WHERE product_id = ? AND customer_id = ? AND title = ? AND rating = ?",
              pid, ME, inst["title"], inst["rating"]))])


def _review_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from open_product(obs, inst["product"])
    obs = yield click(obs, "link", "Write a review")
    stars = f"{inst['rating']} star" + ("s" if inst["rating"] > 1 else "")
    obs = yield select(obs, "combobox", "Rating", stars)
    obs = yield type_into(obs, "textbox", "Summary", inst["title"])
    obs = yield type_into(obs, "textbox", "Review", inst["body"])
    obs = yield click(obs, "button", "Submit Review")
    yield "stop []"


register(TaskTemplate(113, ("shop",), "Write a {{rating}}-star review of {{product}} with the summary '{{title}}' "
                      "and the text '{{body}}'.", "state", _review_inst, _review_build, _review_solve))


# --- 114: account address --------------------------------------------------------------------------

def _address_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"address": f"{rng.randint(10, 999)} {rng.choice(STREETS)}", "city": c, "zip": z}
            for c, z in rng.sample(CITIES, 12)]


def _address_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    line = f"{inst['address']}, {inst['city']} {inst['zip']}"
    return TaskSpec(f"{SHOP}/", html_eval((f"{SHOP}/account", "address", [line])), [
        ms("Open My Account", page_of("/shop/account")), ms("Open the account edit form", page_of("/shop/account/edit")),
        ms(f"Save the address {line}", db("SELECT COUNT(*) FROM shop_customers WHERE id = ? AND address = ? AND city = ? "
                                          "AND zip = ?", ME, inst["address"], inst["city"], inst["zip"]))])


def _address_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield click(obs, "link", "My Account")
    obs = yield click(obs, "link", "Edit Account Information")
    for box, key in (("Street address", "address"), ("City", "city"), ("ZIP code", "zip")):
        obs = yield type_into(obs, "textbox", box, inst[key])
    obs = yield click(obs, "button", "Save")
    yield "stop []"


register(TaskTemplate(114, ("shop",), "Change my default address to {{address}}, {{city}} {{zip}}.", "state",
                      _address_inst, _address_build, _address_solve))


# --- 116, 120: checkout ----------------------------------------------------------------------------

def _ship_to(rng: random.Random, i: int) -> dict[str, Any]:
    city, zip_code = CITIES[i % len(CITIES)]
    return {"name": NAMES[i % len(NAMES)], "address": f"{rng.randint(10, 999)} {rng.choice(STREETS)}", "city": city,
            "zip": zip_code, "shipping": METHODS[rng.choice(list(METHODS))]}


def _two_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i, (a, b) in enumerate(zip(pick_products(db_, rng, 12, SIZED), pick_products(db_, rng, 12, PLAIN), strict=True)):
        size, color = _variant(rng, a)
        out.append({"product1": a["name"], "size": size, "color": color, "product2": b["name"], **_ship_to(rng, i)})
    return out


def _three_inst(db_: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i, ps in enumerate(zip(*(pick_products(db_, rng, 12, SIZED) for _ in range(3)), strict=True)):
        if len({p["name"] for p in ps}) < 3:
            continue
        inst: dict[str, Any] = _ship_to(rng, i + 5)
        for k, p in enumerate(ps, start=1):
            size, color = _variant(rng, p)
            inst.update({f"product{k}": p["name"], f"size{k}": size, f"color{k}": color, f"qty{k}": rng.choice([1, 2])})
        out.append(inst)
    return out


def _order_placed(inst: dict[str, Any], names: list[str]) -> dict[str, Any]:
    held = " AND ".join(["EXISTS (SELECT 1 FROM shop_order_items i WHERE i.order_id = o.id AND i.name = ?)"] * len(names))
    return db(f"SELECT COUNT(*) FROM shop_orders o WHERE customer_id = ? AND ship_name = ? AND zip = ? AND {held}",
              ME, inst["name"], inst["zip"], *names)


def _checkout_spec(inst: dict[str, Any], db_: Database, lines: list[tuple[str, str, int]]) -> TaskSpec:
    cost = next(c for code, (_, c) in SHIPPING.items() if METHODS[code] == inst["shipping"])
    total = sum(_price(db_, n) * q for n, _, q in lines) + cost
    names = [n for n, _, _ in lines]
    addr = f"{inst['name']}, {inst['address']}, {inst['city']} {inst['zip']}"
    adds = [ms(f"Add {n} to the cart" + (f" ({o})" if o else ""), _in_cart(db_, n, o, q)) for n, o, q in lines]
    return TaskSpec(f"{SHOP}/", html_eval(("last", "shipping-address", [addr]), ("last", "order-items", names),
                                          ("last", "grand-total", [money(total)])), [
        *adds, ms("Proceed to checkout", page_of("/shop/checkout")),
        ms(f"Place the order shipped to {inst['name']}", _order_placed(inst, names))])


def _two_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    return _checkout_spec(inst, db_, [(inst["product1"], _opts(inst["size"], inst["color"]), 1),
                                      (inst["product2"], "", 1)])


def _two_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    obs = yield from add_to_cart(obs, inst["product1"], inst["size"], inst["color"])
    obs = yield from add_to_cart(obs, inst["product2"])
    yield from fill_checkout(obs, inst["name"], inst["address"], inst["city"], inst["zip"], inst["shipping"])
    yield "stop []"


register(TaskTemplate(116, ("shop",), "Buy {{product1}} in size {{size}} and color {{color}} together with {{product2}}, "
                      "shipped to {{name}}, {{address}}, {{city}} {{zip}} with {{shipping}} shipping.", "state",
                      _two_inst, _two_build, _two_solve))


def _three_build(inst: dict[str, Any], db_: Database) -> TaskSpec:
    return _checkout_spec(inst, db_, [(inst[f"product{k}"], _opts(inst[f"size{k}"], inst[f"color{k}"]), inst[f"qty{k}"])
                                      for k in (1, 2, 3)])


def _three_solve(inst: dict[str, Any], obs: Observation) -> OracleGen:
    for k in (1, 2, 3):
        obs = yield from add_to_cart(obs, inst[f"product{k}"], inst[f"size{k}"], inst[f"color{k}"], inst[f"qty{k}"])
    yield from fill_checkout(obs, inst["name"], inst["address"], inst["city"], inst["zip"], inst["shipping"])
    yield "stop []"


register(TaskTemplate(120, ("shop",), "Order {{qty1}} {{product1}} (size {{size1}}, {{color1}}), {{qty2}} {{product2}} "
                      "(size {{size2}}, {{color2}}) and {{qty3}} {{product3}} (size {{size3}}, {{color3}}); ship them to "
                      "{{name}}, {{address}}, {{city}} {{zip}} by {{shipping}} shipping.", "state",
                      _three_inst, _three_build, _three_solve))
