"""Word lists and the deterministic seeding of the shop's world (products, customers, orders, reviews).

Everything is drawn from the `random.Random` handed to `seed_shop`, never the global generator or the
clock, so the same seed gives the same rows. Used by `mira.arena.sites.shop.seed`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from mira.arena.db import NOW, Database

CATEGORIES: dict[str, dict[str, Any]] = {
    "Clothing": {"items": ["T-Shirt", "Hoodie", "Jacket", "Sweater", "Polo Shirt", "Cardigan", "Leggings", "Shorts"],
                 "materials": ["Cotton", "Linen", "Merino Wool", "Fleece", "Organic Cotton", "Denim"],
                 "sizes": "XS,S,M,L,XL", "colors": True, "price": (15, 120)},
    "Shoes": {"items": ["Running Shoes", "Sneakers", "Hiking Boots", "Sandals", "Loafers", "Trail Runners"],
              "materials": ["Leather", "Suede", "Mesh", "Canvas", "Knit"],
              "sizes": "6,7,8,9,10,11,12", "colors": True, "price": (30, 180)},
    "Home & Kitchen": {"items": ["Frying Pan", "Dutch Oven", "Cutting Board", "Knife Set", "Coffee Mug Set",
                                 "Mixing Bowl Set", "Teapot", "Table Lamp"],
                       "materials": ["Cast Iron", "Stainless Steel", "Bamboo", "Ceramic", "Glass", "Walnut"],
                       "sizes": "", "colors": False, "price": (12, 220)},
    "Sports & Outdoors": {"items": ["Yoga Mat", "Water Bottle", "Camping Tent", "Backpack", "Resistance Bands",
                                    "Sleeping Bag", "Dumbbell Set"],
                          "materials": ["Cork", "Rubber", "Nylon", "Ripstop", "Recycled Polyester", "Aluminum"],
                          "sizes": "", "colors": True, "price": (10, 260)},
    "Electronics": {"items": ["Bluetooth Speaker", "Wireless Earbuds", "Phone Charger", "USB-C Hub", "Desk Lamp",
                              "Webcam", "Power Bank"],
                    "materials": ["Aluminum", "Matte", "Waterproof", "Compact", "Fast-Charging"],
                    "sizes": "", "colors": True, "price": (15, 300)},
    "Beauty": {"items": ["Face Cream", "Shampoo", "Lip Balm", "Body Lotion", "Hair Serum", "Sunscreen"],
               "materials": ["Aloe Vera", "Shea Butter", "Argan Oil", "Vitamin C", "Coconut", "Lavender"],
               "sizes": "", "colors": False, "price": (5, 60)},
    "Toys & Games": {"items": ["Puzzle", "Board Game", "Building Blocks", "Plush Bear", "Kite", "Card Game"],
                     "materials": ["Wooden", "Foam", "Plastic", "Cardboard", "Felt"],
                     "sizes": "", "colors": False, "price": (8, 90)},
    "Office Products": {"items": ["Notebook", "Desk Organizer", "Fountain Pen", "Planner", "Monitor Stand",
                                  "Desk Chair"],
                        "materials": ["Leather", "Recycled Paper", "Bamboo", "Steel", "Mesh"],
                        "sizes": "", "colors": True, "price": (6, 250)},
    "Garden": {"items": ["Garden Hose", "Planter", "Pruning Shears", "Watering Can", "Bird Feeder", "Garden Gloves"],
               "materials": ["Terracotta", "Galvanized Steel", "Cedar", "Rubber", "Recycled Plastic"],
               "sizes": "", "colors": False, "price": (7, 140)},
    "Pet Supplies": {"items": ["Dog Leash", "Cat Tree", "Pet Bed", "Dog Collar", "Chew Toy", "Food Bowl"],
                     "materials": ["Nylon", "Sisal", "Memory Foam", "Leather", "Natural Rubber", "Stainless Steel"],
                     "sizes": "S,M,L", "colors": True, "price": (6, 150)},
}

BRANDS = ["Northwind", "Alder & Co", "Brightline", "Cobalt", "Driftwood", "Evergreen", "Fjord", "Granite Peak",
          "Harbor", "Ironbark", "Juniper", "Kestrel", "Lumen", "Maple Lane", "Nimbus", "Orchard"]
VARIANTS = ["Classic", "Pro", "Lite", "Deluxe", "Everyday", "Travel", "Premium", "Essential", "Max", "Mini"]
COLORS = ["Black", "White", "Navy", "Gray", "Red", "Green", "Blue", "Beige"]

FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia", "Logan",
         "Amelia", "James", "Harper", "Benjamin", "Evelyn", "Elijah", "Abigail", "Oliver", "Grace", "Daniel",
         "Chloe", "Henry", "Nora", "Samuel", "Lily", "Jack", "Zoe", "Owen"]
LAST = ["Lopez", "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas",
        "Moore", "Martin", "Jackson", "Lee", "Walker", "Hall", "Young", "King", "Wright"]
STREETS = ["Oak Street", "Maple Avenue", "Cedar Lane", "Pine Road", "Elm Drive", "Lakeview Blvd", "Hillside Way",
           "River Road", "Sunset Avenue", "Park Place", "Willow Court", "Main Street"]
CITIES = [("Austin", "78701"), ("Denver", "80202"), ("Portland", "97205"), ("Boston", "02108"),
          ("Seattle", "98101"), ("Chicago", "60601"), ("Miami", "33101"), ("Phoenix", "85004"),
          ("Atlanta", "30303"), ("Madison", "53703"), ("Raleigh", "27601"), ("Tucson", "85701")]

SHIPPING = {"standard": ("Standard (5-7 days)", 5.0), "express": ("Express (2 days)", 15.0),
            "pickup": ("Store pickup", 0.0)}
"""Shipping method code -> (label, cost)."""
STATUSES = ("pending", "processing", "complete", "canceled")

REVIEW_TITLES = {
    5: ["Absolutely love it", "Best purchase this year", "Exceeded my expectations", "Perfect", "Highly recommend",
        "Worth every penny", "Five stars", "Fantastic quality"],
    4: ["Very good", "Solid choice", "Happy with it", "Great value", "Nice quality", "Does the job well"],
    3: ["It's okay", "Average", "Decent for the price", "Mixed feelings", "Not bad"],
    2: ["Disappointed", "Could be better", "Not as described", "Fell apart quickly"],
    1: ["Terrible", "Waste of money", "Broke after a week", "Do not buy"],
}
REVIEW_BODIES = {
    5: ["The {item} is sturdy and looks great. I use it every day.", "Arrived fast and the {material} feels premium.",
        "Bought this as a gift and ended up ordering a second one for myself."],
    4: ["Good {item} overall; shipping took a little longer than expected.", "Works well, though the color is a bit off.",
        "Nice {material} finish. Would buy again."],
    3: ["It does what it says, nothing more.", "The {item} is fine but feels cheaper than the photos suggest.",
        "Average quality for the price."],
    2: ["The {material} started wearing out after a month.", "Sizing runs small and the return was a hassle."],
    1: ["Stopped working within days. Asked for a refund.", "The {item} arrived damaged and support never replied."],
}

SCHEMA = """
CREATE TABLE shop_categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE shop_products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
  category_id INTEGER NOT NULL REFERENCES shop_categories(id), price REAL NOT NULL, stock INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'enabled', sizes TEXT NOT NULL DEFAULT '', colors TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
CREATE TABLE shop_customers (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
  first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, address TEXT NOT NULL,
  city TEXT NOT NULL, zip TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE shop_orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES shop_customers(id),
  created TEXT NOT NULL, status TEXT NOT NULL, ship_name TEXT NOT NULL, address TEXT NOT NULL, city TEXT NOT NULL,
  zip TEXT NOT NULL, shipping_method TEXT NOT NULL, shipping_cost REAL NOT NULL, subtotal REAL NOT NULL,
  total REAL NOT NULL);
CREATE TABLE shop_order_items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES shop_orders(id),
  product_id INTEGER NOT NULL REFERENCES shop_products(id), name TEXT NOT NULL, price REAL NOT NULL,
  qty INTEGER NOT NULL, options TEXT NOT NULL DEFAULT '');
CREATE TABLE shop_invoices (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL UNIQUE REFERENCES shop_orders(id),
  created TEXT NOT NULL, amount REAL NOT NULL);
CREATE TABLE shop_reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES shop_products(id),
  customer_id INTEGER NOT NULL REFERENCES shop_customers(id), nickname TEXT NOT NULL, rating INTEGER NOT NULL,
  title TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE shop_cart (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES shop_customers(id),
  product_id INTEGER NOT NULL REFERENCES shop_products(id), qty INTEGER NOT NULL, options TEXT NOT NULL DEFAULT '');
CREATE TABLE shop_wishlist (customer_id INTEGER NOT NULL REFERENCES shop_customers(id),
  product_id INTEGER NOT NULL REFERENCES shop_products(id), created TEXT NOT NULL,
  PRIMARY KEY (customer_id, product_id));
CREATE INDEX shop_orders_customer ON shop_orders(customer_id);
CREATE INDEX shop_items_order ON shop_order_items(order_id);
CREATE INDEX shop_reviews_product ON shop_reviews(product_id);
"""

_START = datetime(2024, 1, 1)
_NOW = datetime.fromisoformat(NOW)


def _date(rng: random.Random, start: datetime = _START) -> str:
    span = int((_NOW - start).total_seconds()) - 3600
    return (start + timedelta(seconds=rng.randrange(span))).strftime("%Y-%m-%d %H:%M:%S")


def _products(rng: random.Random) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    names: set[str] = set()
    for cid, (cat, spec) in enumerate(CATEGORIES.items(), start=1):
        made = 0
        while made < 40:
            item, material = rng.choice(spec["items"]), rng.choice(spec["materials"])
            name = f"{rng.choice(BRANDS)} {material} {item} {rng.choice(VARIANTS)}"
            if name in names:
                continue
            names.add(name)
            made += 1
            lo, hi = spec["price"]
            price = round(rng.uniform(lo, hi)) - rng.choice([0.01, 0.05, 0.51])
            colors = ",".join(sorted(rng.sample(COLORS, rng.randint(2, 4)), key=COLORS.index)) if spec["colors"] else ""
            desc = (f"The {name} is a{'n' if material[0] in 'AEIOU' else ''} {material.lower()} {item.lower()} from {name.split(' ')[0]}, "
                    f"made for everyday use and backed by a one-year warranty.")
            pid = len(rows) + 1
            stock = rng.choice([0, 3, 8, 15, 25, 40, 60, 100, 120])
            status = "disabled" if rng.random() < 0.05 else "enabled"
            rows.append((pid, f"{cat[:3].upper()}-{pid:04d}", name, cid, price, stock, status, spec["sizes"], colors,
                         desc, _date(rng)))
    return rows


def _customers(rng: random.Random) -> list[tuple[Any, ...]]:
    pairs = [(f, la) for la in LAST for f in FIRST]
    rng.shuffle(pairs)
    pairs.remove(("Emma", "Lopez"))
    pairs = [("Emma", "Lopez"), *pairs[:149]]
    rows = []
    for i, (first, last) in enumerate(pairs, start=1):
        city, zipc = rng.choice(CITIES)
        user = f"{first}.{last}".lower()
        rows.append((i, user, "password123", first, last, f"{user}@example.com",
                     f"{rng.randint(10, 999)} {rng.choice(STREETS)}", city, zipc, _date(rng)))
    return rows


def _status(rng: random.Random, created: str) -> str:
    age_days = (_NOW - datetime.fromisoformat(created)).days
    if age_days < 20:
        return rng.choice(["pending", "pending", "processing", "canceled"])
    if age_days < 60:
        return rng.choice(["processing", "complete", "complete", "canceled"])
    return "canceled" if rng.random() < 0.12 else "complete"


def seed_shop(db: Database, rng: random.Random) -> None:
    """Fill the shop_* tables: 400 products in 10 categories, 150 customers, 600 orders, ~600 reviews."""
    con = db.conn
    con.executemany("INSERT INTO shop_categories VALUES (?, ?)", list(enumerate(CATEGORIES, start=1)))
    products = _products(rng)
    con.executemany("INSERT INTO shop_products VALUES (?,?,?,?,?,?,?,?,?,?,?)", products)
    customers = _customers(rng)
    con.executemany("INSERT INTO shop_customers VALUES (?,?,?,?,?,?,?,?,?,?)", customers)
    orders: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    for oid in range(1, 601):
        mine = oid % 25 == 7  # the task account has a history to page through, with pending orders to act on
        cust = customers[0] if mine else rng.choice(customers)
        recent = mine and oid % 50 == 7
        created = _date(rng, _NOW - timedelta(days=19)) if recent else _date(rng)
        lines = rng.sample(products, rng.choice([1, 1, 2, 2, 3, 4]))
        subtotal = 0.0
        for p in lines:
            qty = rng.choice([1, 1, 1, 2, 3])
            opts = ", ".join(x for x in (
                f"Size: {rng.choice(p[7].split(','))}" if p[7] else "",
                f"Color: {rng.choice(p[8].split(','))}" if p[8] else "") if x)
            items.append((len(items) + 1, oid, p[0], p[2], p[4], qty, opts))
            subtotal += p[4] * qty
        method = rng.choice(list(SHIPPING))
        cost = SHIPPING[method][1]
        orders.append((oid, cust[0], created, "pending" if recent else _status(rng, created), f"{cust[3]} {cust[4]}", cust[6], cust[7], cust[8],
                       method, cost, round(subtotal, 2), round(subtotal + cost, 2)))
    orders.sort(key=lambda o: o[2])  # ids follow dates, as a real shop's increment ids
    orders_by_old = {o[0]: i + 1 for i, o in enumerate(orders)}
    orders = [(orders_by_old[o[0]], *o[1:]) for o in orders]
    items = [(i[0], orders_by_old[i[1]], *i[2:]) for i in items]
    con.executemany("INSERT INTO shop_orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", sorted(orders))
    con.executemany("INSERT INTO shop_order_items VALUES (?,?,?,?,?,?,?)", items)
    con.executemany("INSERT INTO shop_invoices (order_id, created, amount) VALUES (?,?,?)",
                    [(o[0], o[2], o[11]) for o in orders if o[3] in ("processing", "complete")])
    con.executemany("INSERT INTO shop_reviews VALUES (?,?,?,?,?,?,?,?,?)", _reviews(rng, products, customers))
    wished = rng.sample([p for p in products if p[6] == "enabled"], 12)
    con.executemany("INSERT INTO shop_wishlist VALUES (1, ?, ?)", [(p[0], _date(rng)) for p in wished])


def _reviews(rng: random.Random, products: list[tuple[Any, ...]], customers: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    titles: set[tuple[int, str]] = set()
    for p in products:
        spec = CATEGORIES[list(CATEGORIES)[p[3] - 1]]
        item = next(i for i in spec["items"] if i in p[2])
        material = next(m for m in spec["materials"] if f" {m} " in p[2])
        base = rng.choice([5, 4, 4, 3, 2])
        for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
            rating = max(1, min(5, base + rng.choice([-1, 0, 0, 1])))
            title = rng.choice(REVIEW_TITLES[rating])
            if (p[0], title) in titles:  # titles are unique per product, so a moderator can tell them apart
                continue
            titles.add((p[0], title))
            c = rng.choice(customers)
            body = rng.choice(REVIEW_BODIES[rating]).format(item=item.lower(), material=material.lower())
            created = _date(rng)
            age = (_NOW - datetime.fromisoformat(created)).days
            status = "pending" if age < 90 and rng.random() < 0.6 else ("rejected" if rng.random() < 0.05 else "approved")
            rows.append((len(rows) + 1, p[0], c[0], c[3], rating, title, body, status, created))
    return rows
