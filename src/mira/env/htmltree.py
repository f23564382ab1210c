"""The browserless twin of `axtree.js`: the same observation text from static HTML, without a browser.

HTML is parsed by html5lib (the HTML5 tree-construction algorithm, so implied html/head/body/tbody and
misnested tags come out as in Chromium, which matters because ids count elements in document order).
`Document` holds the DOM plus the state a browser keeps for a page without scripts: form control
values, checkedness, selected options, the focused element and the ids the walker has handed out.
`render(doc)` follows the rule table in `mira.env.axtree` line by line (same names as the JS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import html5lib

from mira.env import htmlcss
from mira.env.axtree import Snapshot

__all__ = ["Element", "Document", "parse", "render", "squash"]

_HTML_NS = "{http://www.w3.org/1999/xhtml}"
SKIP_TAGS = frozenset({"SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK", "TITLE", "BASE"})
NO_CHILDREN = frozenset({"TEXTAREA", "INPUT", "IFRAME", "FRAME", "OBJECT", "EMBED", "VIDEO", "AUDIO", "CANVAS", "IMG"})
PRUNED = frozenset({"generic", "none", "presentation", ""})
NAME_FROM_CONTENT = frozenset({"button", "link", "heading", "option", "menuitem", "menuitemcheckbox", "menuitemradio",
                               "tab", "treeitem", "cell", "gridcell", "columnheader", "rowheader", "checkbox", "radio",
                               "switch", "tooltip", "term", "caption"})
LABELABLE = frozenset({"textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "slider", "spinbutton",
                       "switch"})
INPUT_ROLES = {
    "text": "textbox", "email": "textbox", "tel": "textbox", "url": "textbox", "password": "textbox",
    "date": "textbox", "datetime-local": "textbox", "month": "textbox", "week": "textbox", "time": "textbox",
    "color": "textbox", "search": "searchbox", "checkbox": "checkbox", "radio": "radio", "range": "slider",
    "number": "spinbutton", "button": "button", "submit": "button", "reset": "button", "image": "button",
    "file": "button",
}
TAG_ROLES = {
    "BUTTON": "button", "TEXTAREA": "textbox", "OPTION": "option", "OPTGROUP": "group", "H1": "heading",
    "H2": "heading", "H3": "heading", "H4": "heading", "H5": "heading", "H6": "heading", "UL": "list", "OL": "list",
    "MENU": "list", "LI": "listitem", "NAV": "navigation", "MAIN": "main", "ASIDE": "complementary",
    "ARTICLE": "article", "DIALOG": "dialog", "DETAILS": "group", "SUMMARY": "button", "TABLE": "table", "TR": "row",
    "TD": "cell", "P": "paragraph", "FIELDSET": "group", "HR": "separator", "PROGRESS": "progressbar",
    "METER": "meter", "DT": "term", "DD": "definition", "BLOCKQUOTE": "blockquote", "IFRAME": "iframe",
    "FORM": "form", "CAPTION": "caption",
}
_FORM_CONTROLS = frozenset({"BUTTON", "INPUT", "SELECT", "TEXTAREA", "OPTGROUP", "OPTION", "FIELDSET"})
LABELABLE_TAGS = frozenset({"button", "input", "meter", "output", "progress", "select", "textarea"})
MAX_NAME = 200
# JavaScript's \s (String.prototype.trim and /\s/): differs from Python's \s on \x1c-\x1f and \ufeff.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
_SQUASH = re.compile(f"[{_JS_SPACE}]+")


def squash(s: str | None) -> str:
    return _SQUASH.sub(" ", s or "").strip(_JS_SPACE)


def clip(s: str) -> str:
    """Clip to MAX_NAME UTF-16 code units, as JS's length/slice count."""
    if len(s) <= MAX_NAME // 2 or (len(s) <= MAX_NAME and s.isascii()):
        return s
    units = s.encode("utf-16-le")
    if len(units) <= 2 * MAX_NAME:
        return s
    return units[: 2 * (MAX_NAME - 1)].decode("utf-16-le", "surrogatepass") + "\u2026"


class Element:
    """An element of the parsed page; children are Elements and text strings."""

    __slots__ = ("tag", "tag_name", "attrs", "children", "parent", "mira_id", "emitted", "value", "checked",
                 "selected", "_hidden")

    def __init__(self, tag: str, tag_name: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        """Lower-case local name ('a', 'svg')."""
        self.tag_name = tag_name
        """As JS's tagName: upper case for HTML elements, as written for SVG/MathML."""
        self.attrs = attrs
        self.children: list[Element | str] = []
        self.parent = parent
        self.mira_id: str | None = None
        self.emitted = False
        self.value: str | None = None
        """A text control's current value (None: its default, from the markup)."""
        self.checked: bool | None = None
        """A checkbox/radio's checkedness (None: the `checked` attribute)."""
        self.selected: bool | None = None
        """An option's selectedness (None: the select's default selection)."""
        self._hidden: bool | None = None

    def __repr__(self) -> str:
        return f"<{self.tag}{' #' + self.mira_id if self.mira_id else ''}>"

    def descendants(self) -> Iterator[Element]:
        """All elements below this one, in document order."""
        stack = [c for c in reversed(self.children) if isinstance(c, Element)]
        while stack:
            el = stack.pop()
            yield el
            stack.extend(c for c in reversed(el.children) if isinstance(c, Element))

    def ancestors(self) -> Iterator[Element]:
        el = self.parent
        while el is not None:
            yield el
            el = el.parent

    def text_content(self) -> str:
        return "".join(c if isinstance(c, str) else c.text_content() for c in self.children)

    @property
    def input_type(self) -> str:
        """An input's type, lower-cased ('text' when missing or empty)."""
        return (self.attrs.get("type") or "text").lower()


class Document:
    """One loaded page and the state the browser keeps for it."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.body = next((c for c in root.children if isinstance(c, Element) and c.tag in ("body", "frameset")), None)
        self.next_id = 1
        self.active: Element | None = None
        """document.activeElement when it is not the body."""
        self.by_id: dict[str, Element] = {}
        """Walker ids (data-mira-id) handed out so far."""
        self.elements = list(root.descendants())
        self.rules = htmlcss.style_rules([e.text_content() for e in self.elements if e.tag == "style"])
        self._ids: dict[str, Element] = {}
        for e in reversed(self.elements):
            if "id" in e.attrs:
                self._ids[e.attrs["id"]] = e

    @property
    def title(self) -> str:
        """document.title: the first <title>'s text, ASCII whitespace collapsed."""
        for e in self.elements:
            if e.tag == "title" and e.tag_name == "TITLE":
                return re.sub(r"[\t\n\f\r ]+", " ", e.text_content()).strip("\t\n\f\r ")
        return ""

    def get_element_by_id(self, id_: str) -> Element | None:
        return self._ids.get(id_)

    def hidden(self, el: Element) -> bool:
        if el._hidden is None:
            h = (el.tag_name.isupper() and "hidden" in el.attrs) or el.attrs.get("aria-hidden") == "true" or (
                el.tag_name == "INPUT" and el.attrs.get("type", "").lower() == "hidden")
            el._hidden = h or htmlcss.computed(self, el, "display") == "none"
        return el._hidden

    def invisible(self, el: Element) -> bool:
        return bool(self.rules or "style" in el.attrs or any("style" in a.attrs for a in el.ancestors())) and \
            htmlcss.computed(self, el, "visibility") in ("hidden", "collapse")

    # --- form state (what el.value / el.checked / option.selected return) ---------------------------

    def value(self, el: Element) -> str:
        if el.tag == "textarea":
            return el.value if el.value is not None else el.text_content()
        if el.tag == "select":
            opt = self.selected_options(el)
            return opt[0].attrs.get("value", squash(opt[0].text_content())) if opt else ""
        if el.value is not None:
            return el.value
        return sanitize(el.input_type, el.attrs.get("value", "") if "value" in el.attrs or el.input_type not in (
            "checkbox", "radio") else "on", el)

    def is_checked(self, el: Element) -> bool:
        return el.checked if el.checked is not None else "checked" in el.attrs

    def options(self, select: Element) -> list[Element]:
        return [e for e in select.descendants() if e.tag == "option" and e.tag_name == "OPTION" and (
            e.parent is select or (e.parent is not None and e.parent.tag == "optgroup" and e.parent.parent is select))]

    def selected_options(self, select: Element) -> list[Element]:
        opts = self.options(select)
        chosen = [o for o in opts if (o.selected if o.selected is not None else "selected" in o.attrs)]
        if "multiple" in select.attrs:
            return chosen
        if chosen:
            return chosen[-1:] if all(o.selected is None for o in opts) else chosen[:1]
        if _int_attr(select, "size", 0) <= 1:  # a drop-down always shows one option: the first enabled
            first = next((o for o in opts if "disabled" not in o.attrs and not (
                o.parent is not None and o.parent.tag == "optgroup" and "disabled" in o.parent.attrs)), None)
            return [first] if first is not None else []
        return []

    def labels(self, el: Element) -> list[Element]:
        """el.labels: the <label>s whose labeled control is `el`, in document order."""
        out = []
        for lab in self.elements:
            if lab.tag != "label" or lab.tag_name != "LABEL":
                continue
            if "for" in lab.attrs:
                target = self.get_element_by_id(lab.attrs["for"])
                control = target if target is not None and _labelable(target) else None
            else:
                control = next((d for d in lab.descendants() if _labelable(d)), None)
            if control is el:
                out.append(lab)
        return out


def _labelable(el: Element) -> bool:
    return el.tag in LABELABLE_TAGS and el.tag_name.isupper() and not (
        el.tag == "input" and el.input_type == "hidden")


def _int_attr(el: Element, name: str, default: int) -> int:
    m = re.match(r"\s*\+?(\d+)", el.attrs.get(name, ""))
    return int(m.group(1)) if m else default


def sanitize(kind: str, value: str, el: Element | None = None) -> str:
    """The HTML value sanitization algorithm for the input types the arena's pages use."""
    if kind in ("text", "search", "tel", "password", "hidden"):
        return value.replace("\r", "").replace("\n", "")
    if kind in ("email", "url"):
        return value.replace("\r", "").replace("\n", "").strip("\t\n\f\r ")
    if kind == "number":
        return value if re.fullmatch(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?", value) else ""
    if kind == "range":
        if re.fullmatch(r"-?\d+(\.\d+)?", value):
            return value
        lo = float(el.attrs.get("min", "0") or 0) if el is not None else 0.0
        hi = float(el.attrs.get("max", "100") or 100) if el is not None else 100.0
        mid = lo + (hi - lo) / 2 if hi >= lo else lo
        return str(int(mid)) if mid == int(mid) else str(mid)
    if kind == "color":
        return value.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else "#000000"
    if kind == "date":
        return value if re.fullmatch(r"\d{4,}-\d\d-\d\d", value) else ""
    if kind == "time":
        return value if re.fullmatch(r"\d\d:\d\d(:\d\d(\.\d{1,3})?)?", value) else ""
    return value


def parse(markup: str | bytes) -> Document:
    """Parse a whole HTML document as Chromium would (html5lib, HTML5 tree construction)."""
    return Document(_convert(_parse_tree(markup), None))


@lru_cache(maxsize=256)
def _parse_tree(markup: str | bytes) -> Any:
    """html5lib's (read-only) tree; cached because episodes revisit the same pages (resets, go_back), and
    html5lib's parse is most of a browserless step."""
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def _convert(node: Any, parent: Element | None) -> Element:
    tag = node.tag
    if tag.startswith("{"):  # a foreign element (svg, math): tagName keeps its case
        local = tag.split("}", 1)[1]
        el = Element(local.lower(), local, {_attr_name(k): v for k, v in node.attrib.items()}, parent)
    else:
        el = Element(tag, tag.upper(), {_attr_name(k): v for k, v in node.attrib.items()}, parent)
    if node.text:
        el.children.append(node.text)
    for child in node:
        if isinstance(child.tag, str) and not child.tag.startswith("<"):
            el.children.append(_convert(child, el))
        if child.tail:
            if el.children and isinstance(el.children[-1], str):
                el.children[-1] += child.tail
            else:
                el.children.append(child.tail)
    return el


def _attr_name(key: Any) -> str:
    return key if isinstance(key, str) else str(key[1] if isinstance(key, tuple) else key)


# --- the walker (axtree.js, rule for rule) ---------------------------------------------------------


def render(doc: Document) -> Snapshot:
    """The observation text of `doc`; hands out ids to newly visited elements (kept in the Document)."""
    walker = _Walker(doc)
    if doc.body is not None:
        walker.visit(doc.body, 0, "")
    return Snapshot("\n".join(walker.lines), doc.title, walker.nodes)


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lines: list[str] = []
        self.nodes = 0

    def role(self, el: Element) -> str:
        explicit = squash(el.attrs.get("role")).split(" ")[0]
        if explicit:
            return explicit
        tag = el.tag_name
        if tag in ("A", "AREA"):
            return "link" if "href" in el.attrs else "generic"
        if tag == "INPUT":
            return INPUT_ROLES.get(el.input_type, "textbox")
        if tag == "SELECT":
            return "listbox" if "multiple" in el.attrs or _int_attr(el, "size", 0) > 1 else "combobox"
        if tag == "IMG":
            return "none" if el.attrs.get("alt") == "" else "img"
        if tag == "TH":
            return "rowheader" if el.attrs.get("scope") == "row" else "columnheader"
        if tag == "SECTION":
            return "region" if "aria-label" in el.attrs or "aria-labelledby" in el.attrs else "generic"
        if _editable(el) and not (el.parent is not None and _editable(el.parent)):
            return "textbox"
        return TAG_ROLES.get(tag, "generic")

    def content_text(self, node: Element) -> str:
        out = []
        for c in node.children:
            if isinstance(c, str):
                out.append(" " + c)
            elif c.tag_name not in SKIP_TAGS and not self.doc.hidden(c):
                if c.tag_name == "IMG":
                    out.append(" " + c.attrs.get("alt", ""))
                elif c.tag_name not in ("INPUT", "SELECT", "TEXTAREA", "BUTTON") or node.tag_name != "LABEL":
                    out.append(" " + self.content_text(c))
        return "".join(out)

    def name(self, el: Element, r: str) -> str:  # noqa: C901 - the JS rule table, branch for branch
        doc = self.doc
        aria = squash(el.attrs.get("aria-label"))
        if aria:
            return aria
        by = el.attrs.get("aria-labelledby")
        if by:
            refs = [doc.get_element_by_id(i) for i in re.split(f"[{_JS_SPACE}]+", by)]
            t = squash(" ".join(self.content_text(e) if e is not None else "" for e in refs))
            if t:
                return t
        tag = el.tag_name
        if tag == "INPUT":
            kind = el.input_type
            if kind in ("submit", "reset", "button"):
                return squash(el.attrs.get("value", "")) or {"submit": "Submit", "reset": "Reset"}.get(kind, "")
            if kind == "image":
                return squash(el.attrs.get("alt"))
        if r in LABELABLE and _labelable(el):
            labels = doc.labels(el)
            if labels:
                t = squash(" ".join(self.content_text(lab) for lab in labels))
                if t:
                    return t
        if tag in ("IMG", "AREA"):
            t = squash(el.attrs.get("alt"))
            if t:
                return t
        if tag in ("FIELDSET", "TABLE", "FIGURE"):
            want = {"FIELDSET": "LEGEND", "TABLE": "CAPTION", "FIGURE": "FIGCAPTION"}[tag]
            cap = next((c for c in el.children if isinstance(c, Element) and c.tag_name == want), None)
            if cap is not None:
                t = squash(self.content_text(cap))
                if t:
                    return t
        if r in NAME_FROM_CONTENT and tag not in ("INPUT", "SELECT", "TEXTAREA"):
            t = squash(self.content_text(el))
            if t:
                return t
        return squash(el.attrs.get("title")) or squash(el.attrs.get("placeholder"))

    def props(self, el: Element, r: str) -> list[str]:  # noqa: C901 - the JS rule table, branch for branch
        doc, out, tag = self.doc, [], el.tag_name
        if tag == "SELECT" and r == "combobox":
            opts = doc.selected_options(el)
            if opts:
                out.append(f"value='{clip(squash(opts[0].text_content()))}'")
        elif r in ("textbox", "searchbox", "spinbutton", "slider", "combobox"):
            if tag in ("INPUT", "TEXTAREA"):
                v = doc.value(el)
            elif _editable(el):
                v = htmlcss.inner_text(doc, el)
            else:
                v = el.attrs.get("aria-valuenow", "")
            if v:
                out.append(f"value='{clip(v.replace(chr(10), chr(92) + 'n'))}'")
        if r in ("checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"):
            c = ("true" if doc.is_checked(el) else "false") if tag == "INPUT" else (el.attrs.get("aria-checked") or "false")
            out.append(f"checked='{c}'")
        if (tag == "OPTION" and _option_selected(doc, el)) or el.attrs.get("aria-selected") == "true":
            out.append("selected")
        exp = el.attrs.get("aria-expanded")
        if exp:
            out.append(f"expanded='{exp}'")
        if (tag in _FORM_CONTROLS and "disabled" in el.attrs) or el.attrs.get("aria-disabled") == "true":
            out.append("disabled")
        if (tag in ("INPUT", "SELECT", "TEXTAREA") and "required" in el.attrs) or el.attrs.get("aria-required") == "true":
            out.append("required")
        if el is doc.active and el is not doc.body:
            out.append("focused")
        return out

    def walk(self, parent: Element, depth: int, ctx_name: str, visible: bool) -> None:
        for c in parent.children:
            if isinstance(c, str):
                t = squash(c)
                if not t or not visible or (ctx_name and t in ctx_name):
                    continue
                owner = "" if parent.emitted else f"[{parent.mira_id}] "
                self.lines.append("\t" * depth + f"{owner}StaticText '{clip(t)}'")
                self.nodes += 1
            else:
                self.visit(c, depth, ctx_name)

    def visit(self, el: Element, depth: int, ctx_name: str) -> None:
        doc = self.doc
        if el.tag_name in SKIP_TAGS or doc.hidden(el):
            return
        if el.mira_id is None:
            el.mira_id = str(doc.next_id)
            doc.by_id[el.mira_id] = el
            doc.next_id += 1
        visible = not doc.invisible(el)
        r = self.role(el)
        el.emitted = visible and r not in PRUNED
        child_depth, child_name = depth, ctx_name
        if el.emitted:
            n = clip(self.name(el, r))
            p = self.props(el, r)
            self.lines.append("\t" * depth + f"[{el.mira_id}] {r}" + (f" '{n}'" if n else "") + (" " + ", ".join(p) if p else ""))
            self.nodes += 1
            child_depth, child_name = depth + 1, n
        if el.tag_name in NO_CHILDREN:
            return
        self.walk(el, child_depth, child_name, visible)


def _option_selected(doc: Document, opt: Element) -> bool:
    select = next((a for a in opt.ancestors() if a.tag == "select"), None)
    if select is None or opt not in doc.options(select):
        return opt.selected if opt.selected is not None else "selected" in opt.attrs
    return opt in doc.selected_options(select)


def _editable(el: Element) -> bool:
    """isContentEditable: the nearest contenteditable attribute says true/''/plaintext-only."""
    for e in (el, *el.ancestors()):
        v = e.attrs.get("contenteditable")
        if v is not None:
            return v.lower() in ("", "true", "plaintext-only")
    return False
