"""The little CSS a browserless page needs: simple selectors, `display`/`visibility` cascade, innerText.

Selectors: compound selectors of `tag`, `*`, `#id`, `.class`, `[attr]`, `[attr=value]` joined by
descendant (` `) or child (`>`) combinators, comma lists. Anything else (pseudo-classes, `+`, `~`)
raises `SelectorError` for `query_selector`; style rules using it are ignored (they cannot match the
static page's state reliably), which is logged once per selector.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mira.env.htmltree import Document, Element

__all__ = ["SelectorError", "parse_selector", "matches", "query_selector", "style_rules", "computed", "inner_text"]

log = logging.getLogger(__name__)

Compound = tuple[str, tuple[tuple[str, str, str | None], ...]]
"""(tag or '*', ((kind, name, value), ...)) with kind '#', '.', '[' ."""
Complex = tuple[tuple[str, Compound], ...]
"""((combinator, compound), ...) left to right; the first combinator is ''."""


class SelectorError(ValueError):
    """A CSS selector outside the supported subset (see the module docstring)."""


_TOKEN = re.compile(r"\s*(>)\s*|\s+|([#.]?-?[_a-zA-Z][\w-]*|\*)|\[\s*([\w-]+)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[\w-]+)\s*)?\]")


@lru_cache(maxsize=512)
def parse_selector(selector: str) -> tuple[Complex, ...]:
    """Parse a comma list of complex selectors; SelectorError names the unsupported part."""
    out = []
    for part in selector.split(","):
        part = part.strip()
        if not part:
            raise SelectorError(f"empty selector in {selector!r}")
        out.append(_parse_complex(part, selector))
    return tuple(out)


def _parse_complex(text: str, whole: str) -> Complex:
    steps: list[tuple[str, Compound]] = []
    comb, tag, simple = "", "", []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SelectorError(f"unsupported CSS selector {whole!r} at {text[pos:pos + 20]!r}; supported: tag, *, #id, "
                                ".class, [attr], [attr=value], descendant and '>' combinators, commas")
        pos = m.end()
        if m.group(2) or m.group(3):  # part of a compound
            tok = m.group(2)
            if m.group(3):
                val = m.group(4)
                simple.append(("[", m.group(3).lower(), val.strip("\"'") if val is not None else None))
            elif tok[0] in "#.":
                simple.append((tok[0], tok[1:], None))
            else:
                tag = tok.lower()
            continue
        if tag or simple:  # a combinator ends the compound
            steps.append((comb, (tag or "*", tuple(simple))))
            tag, simple = "", []
        comb = ">" if m.group(1) else (comb if comb == ">" else " ")
    if not (tag or simple):
        raise SelectorError(f"CSS selector {whole!r} ends with a combinator")
    steps.append((comb, (tag or "*", tuple(simple))))
    return tuple((c if i else "", s) for i, (c, s) in enumerate(steps))


def _match_compound(el: Element, comp: Compound) -> bool:
    tag, simple = comp
    if tag != "*" and el.tag != tag:
        return False
    for kind, name, value in simple:
        if kind == "#":
            if el.attrs.get("id") != name:
                return False
        elif kind == ".":
            if name not in el.attrs.get("class", "").split():
                return False
        elif name not in el.attrs or (value is not None and el.attrs[name] != value):
            return False
    return True


def _match_complex(el: Element, steps: Complex) -> bool:
    comb, comp = steps[-1]
    if not _match_compound(el, comp):
        return False
    if len(steps) == 1:
        return True
    rest = steps[:-1]
    parent = el.parent
    if comb == ">":
        return parent is not None and _match_complex(parent, rest)
    while parent is not None:
        if _match_complex(parent, rest):
            return True
        parent = parent.parent
    return False


def matches(el: Element, selector: str) -> bool:
    return any(_match_complex(el, c) for c in parse_selector(selector))


def query_selector(root: Element, selector: str) -> Element | None:
    """The first element (in document order, below `root`) matching `selector`, as querySelector."""
    parsed = parse_selector(selector)
    for el in root.descendants():
        if any(_match_complex(el, c) for c in parsed):
            return el
    return None


# --- the cascade, for display and visibility only ------------------------------------------------

_UA_NONE = frozenset({"head", "script", "style", "template", "title", "meta", "link", "base", "area", "datalist",
                      "noembed", "noframes", "param", "rp", "noscript"})
_DECL = re.compile(r"(display|visibility)\s*:\s*([\w-]+)\s*(!\s*important)?", re.I)
Rule = tuple[Complex, int, int, str, str, bool]
"""(selector, specificity, order, property, value, important)."""


def style_rules(sheets: list[str]) -> list[Rule]:
    """The display/visibility declarations of the page's <style> sheets (@-blocks are skipped)."""
    rules: list[Rule] = []
    order = 0
    for sheet in sheets:
        sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
        sheet = re.sub(r"@[^{;]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}|@[^{;]*;", "", sheet)  # @media/@font-face/@import
        for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
            decls = _DECL.findall(body)
            if not decls:
                continue
            for one in sel.split(","):
                try:
                    (steps,) = parse_selector(one.strip())
                except SelectorError:
                    log.info("browserless: ignoring the style rule for %r (unsupported selector)", one.strip())
                    continue
                spec = sum((100 if k == "#" else 10) for _, (_, s) in steps for k, _, _ in s)
                spec += sum(1 for _, (t, _) in steps if t != "*")
                for prop, value, imp in decls:
                    order += 1
                    rules.append((steps, spec, order, prop.lower(), value.lower(), bool(imp)))
    return rules


def computed(doc: Document, el: Element, prop: str) -> str:
    """The computed `display` or `visibility` of `el` (visibility inherits)."""
    best: tuple[int, int, int] | None = None
    value = ""
    inline = el.attrs.get("style")
    if inline:
        for p, v, imp in _DECL.findall(inline):
            if p.lower() == prop:
                best, value = (2 if imp else 1, 10_000, 0), v.lower()
    for steps, spec, order, p, v, imp in doc.rules:
        if p == prop and _match_complex(el, steps):
            key = (3 if imp else 0, spec, order)
            if best is None or key > best:
                best, value = key, v
    if best is not None and value not in ("inherit", "unset", "initial", "revert"):
        return value
    if prop == "visibility":
        return computed(doc, el.parent, prop) if el.parent is not None and value != "initial" else "visible"
    return _ua_display(el)


def _ua_display(el: Element) -> str:
    if not el.tag_name.isupper():  # svg/math: the HTML UA rules do not apply
        return "inline"
    if el.tag in _UA_NONE or (el.tag == "dialog" and "open" not in el.attrs) or (
            "hidden" in el.attrs and el.attrs["hidden"].lower() != "until-found"):
        return "none"
    if el.tag == "input" and el.attrs.get("type", "").lower() == "hidden":
        return "none"
    return _TABLE_DISPLAY.get(el.tag) or ("block" if el.tag in _BLOCK else "inline")


# --- innerText (the HTML spec's "rendered text collection steps", for static pages) ---------------

_BLOCK = frozenset({"html", "body", "address", "blockquote", "center", "dialog", "div", "figure", "figcaption",
                    "footer", "form", "header", "hr", "legend", "listing", "main", "p", "plaintext", "pre", "xmp",
                    "details", "summary", "article", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "nav",
                    "section", "dir", "dd", "dl", "dt", "menu", "ol", "ul", "li", "table", "caption",
                    "fieldset", "option", "optgroup"})
_TABLE_DISPLAY = {"table": "table", "caption": "table-caption", "tr": "table-row", "td": "table-cell", "th": "table-cell", "thead": "table-header-group",
                  "tbody": "table-row-group", "tfoot": "table-footer-group", "col": "table-column",
                  "colgroup": "table-column-group"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
_ATOM, _START, _END = "\x00", "\x01", "\x02"
"""Stands for a replaced element (input, img, ...) while spaces are collapsed; removed at the end."""


class _Pre(str):
    """Text under <pre>: its spaces are kept."""


def inner_text(doc: Document, el: Element) -> str:
    """`el.innerText` as Chromium computes it for unstyled server-rendered HTML."""
    if computed(doc, el, "display") == "none":
        return el.text_content()
    if computed(doc, el, "display") == "inline":  # its spaces depend on the line around it: render the block
        block = next((a for a in el.ancestors() if computed(doc, a, "display") != "inline"), el)
        items: list[str | int] = [1]
        _collect(doc, block, items, pre=False, target=el)
    else:
        items = [1]  # a block's edges end lines
        _collect(doc, el, items, pre=el.tag in ("pre", "textarea"))
    items.append(1)
    _trim_spaces(items)
    out: list[str] = []
    pending, seen_text = 0, False
    for it in items:
        if isinstance(it, int):
            pending = max(pending, it)
        elif it in (_START, _END, _ATOM):  # an atom alone does not make a line
            out.append(it)
        elif it:
            if seen_text and pending:
                out.append("\n" * pending)
            pending, seen_text = 0, True
            out.append(it)
    text = "".join(out).replace(_ATOM, "")
    if _START in text:
        text = text.split(_START, 1)[1].split(_END, 1)[0]
    return text


def _collect(doc: Document, node: Element, items: list[str | int], pre: bool, target: Element | None = None) -> None:
    from mira.env.htmltree import Element

    for c in node.children:
        if not isinstance(c, Element):
            data = _Pre(c) if pre else _SPACE.sub(" ", c)
            if data and not doc.invisible(node):
                items.append(data)
        elif node.tag == "details" and "open" not in node.attrs and c is not next(
                (s for s in node.children if isinstance(s, Element) and s.tag == "summary"), None):
            continue  # a closed <details> renders only its summary
        elif c is target:
            items.append(_START)
            _collect_element(doc, c, items, pre, target)
            items.append(_END)
        else:
            _collect_element(doc, c, items, pre, target)


def _collect_element(doc: Document, c: Element, items: list[str | int], pre: bool,  # noqa: C901 - one case a box kind
                     target: Element | None) -> None:
    display = computed(doc, c, "display")
    if display == "none":
        return
    if c.tag in ("textarea", "input", "img", "video", "audio", "iframe", "canvas", "meter", "progress"):
        items.append(_ATOM)  # a replaced element: no text, but the spaces around it do not collapse
        return
    if c.tag in ("select", "button"):  # inline-blocks (a select's options are blocks: one a line)
        items.append(_ATOM)
        _collect(doc, c, items, pre, target)
        items.append(_ATOM)
        return
    if c.tag == "svg":  # an inline box whose <text> shows on its own line; title/desc are not rendered
        items.extend((_ATOM, 1))
        for g in c.children:
            if isinstance(g, str):
                items.append(_SPACE.sub(" ", g))
            elif g.tag not in ("title", "desc"):
                _collect_element(doc, g, items, pre, target)
        items.append(1)
        return
    if c.tag == "br":
        items.append("\n")
        return
    if display.startswith("table-") and display != "table-caption":  # spec: a tab after a cell, LF after a row
        _collect(doc, c, items, pre, target)
        if display == "table-cell" and not _last_of(doc, c, "table-cell", "table-row"):
            items.append("\t")
        elif display == "table-row" and not _last_of(doc, c, "table-row", "table"):
            items.append("\n")
        return
    breaks = 2 if c.tag == "p" else 0 if display in ("inline", "inline-block", "contents") else 1
    if breaks:
        items.append(breaks)
    _collect(doc, c, items, pre or c.tag == "pre", target)
    if breaks:
        items.append(breaks)


def _last_of(doc: Document, el: Element, display: str, within: str) -> bool:
    """Whether `el` is the last `display` box in its nearest `within` ancestor (cell in row, row in table)."""
    box = next((a for a in el.ancestors() if computed(doc, a, "display") == within), None)
    if box is None:
        return True
    last = None
    for d in box.descendants():
        if computed(doc, d, "display") == display and next(
                (a for a in d.ancestors() if computed(doc, a, "display") == within), None) is box:
            last = d
    return last is el


def _trim_spaces(items: list[str | int]) -> None:
    """Collapse spaces across text runs and drop them next to line breaks (CSS white-space: normal)."""
    prev_space = True
    for i, it in enumerate(items):
        if it in (_START, _END):
            continue
        if isinstance(it, int) or it in ("\n", "\t"):
            prev_space = True
            j = i - 1
            while j >= 0 and isinstance(items[j], str) and items[j] not in ("\n", "\t"):
                if items[j] in (_START, _END):
                    j -= 1
                    continue
                if isinstance(items[j], _Pre):
                    break
                s = str(items[j]).rstrip(" ")
                items[j] = s
                if s:
                    break
                j -= 1
            continue
        if isinstance(it, _Pre):  # white-space: pre keeps every space
            prev_space = False
            continue
        if prev_space:
            it = it.lstrip(" ")
        items[i] = it
        if it:
            prev_space = it.endswith(" ")
