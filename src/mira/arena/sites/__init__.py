"""The arena's sites, registered by name. Each site module defines:

- NAME, PREFIX (URL prefix, e.g. '/shop'), TITLE
- SCHEMA: SQL creating its tables (table names prefixed by the site, e.g. shop_products)
- seed(db, rng): fill its tables deterministically (hundreds of rows: tasks need search and paging)
- router: a mira.arena.web.Router with its pages (paths relative to PREFIX)
- load_user(db, user_id) -> dict | None, and DEFAULT_USER_ID: the account WebArena-style tasks start logged in as
"""

from __future__ import annotations

import importlib
from types import ModuleType

_SITE_MODULES = {
    "shop": "mira.arena.sites.shop",
    "shop_admin": "mira.arena.sites.shop_admin",
    "forum": "mira.arena.sites.forum",
    "code": "mira.arena.sites.code",
}


SITES: dict[str, ModuleType] = {name: importlib.import_module(path) for name, path in _SITE_MODULES.items()}
