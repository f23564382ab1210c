"""SVG charts in plain Python (no matplotlib): the failure-mode bar chart and the milestone heatmap."""

from __future__ import annotations

from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2")
"""Series colours (one per run)."""


def bar_chart(categories: list[str], series: dict[str, list[float]], title: str, fmt: str = "{:g}") -> str:
    """Grouped vertical bars: one group per category, one bar per series (run); values labelled on top."""
    width, height, left, bottom, top = 120 + 160 * len(categories), 300, 50, 60, 40
    plot_h = height - bottom - top
    vmax = max([v for vals in series.values() for v in vals] + [1e-9])
    group_w = (width - left - 20) / max(len(categories), 1)
    bar_w = min(40.0, (group_w - 20) / max(len(series), 1))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'class="chart bar" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
             f'<text x="{width / 2}" y="20" text-anchor="middle" class="title">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#333"/>']
    for ci, cat in enumerate(categories):
        gx = left + ci * group_w + (group_w - bar_w * len(series)) / 2
        for si, (name, vals) in enumerate(series.items()):
            v = vals[ci]
            h = plot_h * v / vmax
            x, y = gx + si * bar_w, top + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[si % len(PALETTE)]}" data-series="{escape(name)}" data-category="{escape(cat)}"'
                         f' data-value="{v:g}"><title>{escape(name)}: {escape(cat)} = {fmt.format(v)}</title></rect>')
            parts.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="val">'
                         f'{escape(fmt.format(v))}</text>')
        parts.append(f'<text x="{left + ci * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" '
                     f'text-anchor="middle" class="cat">{escape(cat.replace("_", " "))}</text>')
    if len(series) > 1:
        for si, name in enumerate(series):
            x = left + si * 160
            parts.append(f'<rect x="{x}" y="{height - 18}" width="12" height="12" fill="{PALETTE[si % len(PALETTE)]}"/>'
                         f'<text x="{x + 16}" y="{height - 8}" class="legend">{escape(name[:22])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _color(v: float | None) -> str:
    """White (0) to dark blue (1); grey where no episode has that milestone."""
    if v is None:
        return "#eeeeee"
    r, g, b = (int(255 + (c - 255) * v) for c in (8, 48, 107))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(grid: list[list[float | None]], title: str, cell: int = 14) -> str:
    """Milestone index (rows, 1 at the top) by step (columns): the fraction reached, as shades of blue."""
    if not grid:
        return f'<p class="empty">{escape(title)}: no milestones recorded in this run.</p>'
    rows, cols = len(grid), len(grid[0])
    cell = max(6, min(cell, 600 // max(cols, 1)))
    left, top = 90, 36
    width, height = left + cols * cell + 70, top + rows * cell + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'class="chart heatmap" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
             f'<text x="{left}" y="18" class="title">{escape(title)}</text>']
    for k, row in enumerate(grid):
        y = top + k * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell - 3}" text-anchor="end" class="axis">milestone {k + 1}</text>')
        for t, v in enumerate(row):
            label = "n/a" if v is None else f"{100 * v:.0f}%"
            parts.append(f'<rect x="{left + t * cell}" y="{y}" width="{cell}" height="{cell}" fill="{_color(v)}">'
                         f'<title>milestone {k + 1}, step {t + 1}: {label}</title></rect>')
    for t in range(0, cols, max(1, cols // 10)):
        parts.append(f'<text x="{left + t * cell + cell / 2}" y="{top + rows * cell + 14}" text-anchor="middle" '
                     f'class="axis">{t + 1}</text>')
    parts.append(f'<text x="{left + cols * cell / 2}" y="{height - 4}" text-anchor="middle" class="axis">step</text>')
    for i, v in enumerate((0.0, 0.5, 1.0)):  # legend
        parts.append(f'<rect x="{width - 50}" y="{top + i * 16}" width="12" height="12" fill="{_color(v)}" stroke="#999"/>'
                     f'<text x="{width - 34}" y="{top + i * 16 + 10}" class="axis">{int(v * 100)}%</text>')
    parts.append("</svg>")
    return "".join(parts)
