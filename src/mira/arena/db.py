"""The arena's state: one SQLite database per episode, copied from a seeded template in about a millisecond.

The template is built once per process (schema + deterministic seed of every site); `fresh_db()` copies it
with SQLite's backup API, so each episode starts from the same initial state and concurrent episodes
never see each other's changes.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from typing import Any

ARENA_SEED = 20260615
"""The seed of the arena's world; changing it changes every site's data (and the task file must be rebuilt)."""

NOW = "2026-06-15 12:00:00"
"""The arena's fixed 'now', so dates in data, tasks and answers never drift."""

_CORE_SCHEMA = """
CREATE TABLE sessions (token TEXT PRIMARY KEY, site TEXT NOT NULL, user_id INTEGER NOT NULL);
"""


class Database:
    """A connection shared by the server's threads, serialised by a lock (SQLite in memory)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = threading.RLock()

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self.lock:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        """Run a write and commit; returns the new row id."""
        with self.lock:
            cur = self.conn.execute(sql, params)
            self.conn.commit()
            return int(cur.lastrowid or 0)

    def close(self) -> None:
        with self.lock:
            self.conn.close()


_template: sqlite3.Connection | None = None
_template_lock = threading.Lock()


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def build_template() -> sqlite3.Connection:
    """Create the schema of every site and seed it deterministically."""
    from mira.arena.sites import SITES  # sites import db helpers; import here to avoid a cycle

    conn = _connect()
    conn.executescript(_CORE_SCHEMA)
    for name, site in SITES.items():
        conn.executescript(site.SCHEMA)
        site.seed(Database(conn), random.Random(f"{name}-{ARENA_SEED}"))
    conn.commit()
    return conn


def template() -> sqlite3.Connection:
    global _template
    with _template_lock:
        if _template is None:
            _template = build_template()
        return _template


def fresh_db() -> Database:
    """A private copy of the initial state."""
    src = template()
    dst = _connect()
    with _template_lock:
        src.backup(dst)
    return Database(dst)
