"""The observation text of a web page: an accessibility tree, one node a line.

It is computed in ONE `page.evaluate` of the DOM walker in `axtree.js` (next to this file), whose rules
are simple enough to re-implement over static HTML (a browserless twin must follow this table):

Output
    One line per node, indented by one tab per level of emitted ancestors:
    ``[id] role 'name' prop, prop`` (the name is left out when empty), e.g.
    ``[12] textbox 'Search' value='shoes', focused``. Text is ``StaticText 'text'``; when its parent element
    was pruned (a div/span/label...), the line carries that parent's id (``[7] StaticText 'Alice'``) so the
    text stays clickable. Names and texts are whitespace-collapsed and clipped to 200 characters.

Ids
    Every visited element gets the attribute ``data-mira-id`` = the next integer of a per-page counter
    (starting at 1), in document (pre-)order; an element that already has one keeps it, so ids are stable
    while the page lives and a fresh load of the same page gives the same ids. Actions locate elements by
    ``[data-mira-id="ID"]``.

Visited / hidden
    Skipped with their subtree: script, style, noscript, template, head, meta, link, title, base;
    ``hidden`` attribute, ``aria-hidden="true"``, ``<input type=hidden>``, computed ``display: none``.
    ``visibility: hidden|collapse`` hides the element's own line and text, not its visible children.
    Not descended into: textarea, input, iframe/frame (no frame content), object, embed, video, audio,
    canvas, img. Open shadow roots are walked as children.

Role
    The first token of the ``role`` attribute, else implicit: a[href]/area[href] link (no href: generic);
    input by type: text/email/tel/url/password/date/time/color... textbox, search searchbox, checkbox,
    radio, range slider, number spinbutton, button/submit/reset/image/file button; select combobox
    (listbox when multiple or size > 1); img img (``alt=""``: none); th columnheader (scope=row: rowheader);
    section region only when aria-labelled; the top contenteditable element textbox; and by tag: button,
    textarea textbox, option, optgroup group, h1-h6 heading, ul/ol/menu list, li listitem, nav navigation,
    main, aside complementary, article, dialog, details group, summary button, table, tr row, td cell,
    p paragraph, fieldset group, hr separator, progress progressbar, meter, dt term, dd definition,
    blockquote, iframe, form, caption; anything else generic.

Pruning
    Elements with role generic, none or presentation get no line (their children move up a level);
    StaticText is omitted when its text is contained in the name of the nearest emitted ancestor
    (``button 'OK'`` is not followed by ``StaticText 'OK'``).

Name (first non-empty)
    aria-label > aria-labelledby (text of the referenced elements) > for input submit/reset/button its
    value (default "Submit"/"Reset"), image its alt > for labelable roles (textbox, searchbox, combobox,
    listbox, checkbox, radio, slider, spinbutton, switch) the text of their labels (``<label for>`` or a
    wrapping label, without the controls inside it) > img/area alt > fieldset legend, table caption,
    figure figcaption > for name-from-content roles (button, link, heading, option, menuitem*, tab,
    treeitem, cell, gridcell, columnheader, rowheader, checkbox, radio, switch, tooltip, term, caption;
    not for input/select/textarea) the visible descendant text (img children give their alt) >
    title > placeholder.

Properties (in this order)
    ``value='...'`` for textbox/searchbox/spinbutton/slider/combobox when non-empty (a select shows its
    selected option's text; newlines as \\n); ``checked='true|false|mixed'`` for checkbox/radio/switch and
    menuitemcheckbox/radio; ``selected`` (option.selected or aria-selected=true); ``expanded='..'`` from
    aria-expanded; ``disabled``; ``required``; ``focused`` (document.activeElement, not body).

Why not CDP `Accessibility.getFullAXTree`: Chromium's tree cannot be reproduced without Chromium, and
mapping its node ids back to elements for actions costs extra round trips.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Snapshot", "snapshot", "truncate", "locator_for", "ids_in", "ID_ATTR"]

ID_ATTR = "data-mira-id"


class Snapshot(NamedTuple):
    """The rendered tree of one page."""

    text: str
    title: str
    nodes: int
    probe: Any = None
    """What the optional probe function returned, read in the same evaluate as the tree."""


@cache
def walker_js() -> str:
    """The DOM walker's source: a JS function expression for `page.evaluate`."""
    source = (Path(__file__).with_name("axtree.js")).read_text()
    return "\n".join(line for line in source.splitlines() if not line.startswith("//"))


@cache
def _with_probe(probe_js: str) -> str:
    return f"() => {{ const tree = ({walker_js()})(); tree.probe = ({probe_js})(); return tree; }}"


def snapshot(page: Any, probe_js: str | None = None) -> Snapshot:
    """Render `page` (a Playwright Page) as text; assigns ids to new elements as a side effect.

    `probe_js`, a JS function expression, is called in the same round trip (an env's reward check).
    """
    out = page.evaluate(_with_probe(probe_js) if probe_js else walker_js())
    return Snapshot(str(out["text"]), str(out["title"]), int(out["nodes"]), out.get("probe"))


def truncate(text: str, max_chars: int) -> str:
    """Keep whole lines up to `max_chars` characters, then a marker saying how many lines were cut."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > max_chars - 60:  # leave room for the marker
            break
        kept.append(line)
        size += len(line) + 1
    cut = len(lines) - len(kept)
    return "\n".join([*kept, f"[... truncated: {cut} of {len(lines)} lines not shown ...]"])


def ids_in(text: str) -> frozenset[str]:
    """The element ids an observation text shows."""
    return frozenset(_ID.findall(text))


_ID = re.compile(r"^\t*\[([^\]]+)\] ", re.M)


def locator_for(element_id: str) -> str:
    """The CSS selector of the element an observation calls `[element_id]`."""
    return f'[{ID_ATTR}="{element_id}"]'
