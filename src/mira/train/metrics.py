"""One metrics sink: JSONL lines with namespaced keys, and learning-curve plots drawn from it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def append(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line (flushed, so an interrupted run keeps every finished phase's metrics)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(record) + "\n")


@contextmanager
def timed(record: dict[str, Any], key: str) -> Iterator[None]:
    """Add the block's wall seconds to record[key] (rounded to 0.01 s)."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        record[key] = round(record.get(key, 0.0) + time.perf_counter() - t0, 2)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()] if path.is_file() else []


def plot_curves(metrics_file: Path, out: Path, keys: tuple[str, ...] = ("rollout/success", "rollout/progress",
                                                                          "eval/success", "loss/actor", "loss/critic")) -> Path | None:
    """Learning curves (one panel per key, x = phase) as a PNG with matplotlib; None if it is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.info("matplotlib not installed: no plots")
        return None
    rows = [r for r in read(metrics_file) if "phase" in r]
    present = [k for k in keys if any(k in r for r in rows)]
    if not present:
        return None
    fig, axes = plt.subplots(1, len(present), figsize=(3.2 * len(present), 2.8), squeeze=False)
    for ax, key in zip(axes[0], present, strict=True):
        pts = [(r["phase"], r[key]) for r in rows if key in r]
        ax.plot([p for p, _ in pts], [v for _, v in pts], marker="o")
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("phase")
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
