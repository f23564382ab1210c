"""Shared test fixtures (keep small): local HTML pages and counting our Chromium processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _chromium_pids() -> set[int]:
    """Chromium processes descending from this test process (Linux /proc)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        names[pid] = stat[stat.index("(") + 1 : stat.rindex(")")]
        parents[pid] = int(stat[stat.rindex(")") + 2 :].split()[1])
    mine = os.getpid()

    def descends(pid: int) -> bool:
        for _ in range(64):
            pid = parents.get(pid, 0)
            if pid == mine:
                return True
            if pid <= 1:
                return False
        return False

    return {p for p, n in names.items() if "chrom" in n.lower() and descends(p)}


@pytest.fixture
def page_url():
    """file:// URL of a page under tests/data/axtree/."""
    return lambda name: (DATA / "axtree" / name).as_uri()


@pytest.fixture
def chromium_pids():
    """A function returning the set of Chromium pids descending from this test process."""
    return _chromium_pids
