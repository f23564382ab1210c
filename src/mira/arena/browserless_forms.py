"""What a click, a keystroke or a form does on a static page, as Chromium (driven by Playwright) does it.

Used by `mira.arena.browserless.StaticSession`; each function mirrors one browser behaviour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from mira.env.htmltree import Document, Element, sanitize

if TYPE_CHECKING:
    from mira.arena.browserless import StaticSession

_TEXT_TYPES = frozenset({"text", "search", "url", "tel", "email", "password", "number"})
_SET_TYPES = frozenset({"date", "time", "datetime-local", "month", "range", "week", "color"})
_IMPLICIT = _TEXT_TYPES | frozenset({"date", "month", "week", "time", "datetime-local"})
_SUBMIT_INPUTS = frozenset({"submit", "image"})


class Timeout(Exception):
    """Playwright would wait for the element to become actionable and time out."""


class PageError(Exception):
    """An error Playwright reports at once (e.g. filling a non-field)."""


# --- URLs and cookies -------------------------------------------------------------------------


def normalize_url(url: str) -> str:
    """The URL as the address bar ends up with it: '/' for an empty path, spaces and non-ASCII escaped."""
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme:
        raise PageError(f"Protocol error (Page.navigate): Cannot navigate to invalid URL {url!r}")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=?~-._")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, parts.fragment))


def parse_set_cookie(header: str) -> tuple[str, str, str, bool]:
    """(name, value, path, expired) of a Set-Cookie header."""
    first, *attrs = header.split(";")
    name, _, value = first.strip().partition("=")
    path, expired = "/", False
    for a in attrs:
        k, _, v = a.strip().partition("=")
        k = k.lower()
        if k == "path" and v.startswith("/"):
            path = v
        elif k == "max-age" and re.fullmatch(r"-?\d+", v.strip()):
            expired = int(v) <= 0
        elif k == "expires":
            try:
                expired = parsedate_to_datetime(v) <= datetime.now(UTC)
            except (TypeError, ValueError):
                pass
    return name.strip(), value.strip(), path, expired


_LOCATOR = re.compile(r"""^\s*document\.querySelector\(\s*(['"])(?P<sel>.*?)\1\s*\)\s*\.\s*(outerText|innerText)\s*;?\s*$""")


def query_selector_locator(locator: str) -> str:
    m = _LOCATOR.match(locator)
    if not m:
        raise ValueError(f"browserless run_js supports '' or \"document.querySelector('<css>').outerText\", got {locator!r}")
    return m["sel"]


# --- form state saved across back/forward (Chromium's FormController) ---------------------------


def _controls(doc: Document) -> list[Element]:
    return [e for e in doc.elements if e.tag in ("input", "textarea", "select") and e.tag_name.isupper()]


def _keys(doc: Document) -> list[tuple[Element, tuple[str, str, int]]]:
    seen: dict[tuple[str, str], int] = {}
    out = []
    for el in _controls(doc):
        kind = el.input_type if el.tag == "input" else el.tag
        if kind in ("password", "hidden", "file") or el.attrs.get("autocomplete", "").lower() == "off":
            continue
        base = (el.attrs.get("name", ""), kind)
        seen[base] = seen.get(base, -1) + 1
        out.append((el, (*base, seen[base])))
    return out


def save_state(doc: Document) -> dict[tuple[str, str, int], Any]:
    state: dict[tuple[str, str, int], Any] = {}
    for el, key in _keys(doc):
        if el.tag == "select":
            state[key] = [i for i, o in enumerate(doc.options(el)) if o in doc.selected_options(el)]
        elif el.tag == "input" and el.input_type in ("checkbox", "radio"):
            state[key] = doc.is_checked(el)
        elif el.value is not None:
            state[key] = el.value
    return state


def restore_state(doc: Document, state: dict[tuple[str, str, int], Any]) -> None:
    for el, key in _keys(doc):
        if key not in state:
            continue
        v = state[key]
        if el.tag == "select":
            for i, o in enumerate(doc.options(el)):
                o.selected = i in v
        elif isinstance(v, bool):
            el.checked = v
        else:
            el.value = v


# --- actionability and focus --------------------------------------------------------------------


def disabled(el: Element) -> bool:
    """Actually disabled: the attribute, or inside a disabled fieldset (but not its first legend)."""
    if el.tag not in ("button", "input", "select", "textarea", "option", "optgroup", "fieldset"):
        return False
    if "disabled" in el.attrs:
        return True
    child = el
    for anc in el.ancestors():
        if anc.tag == "fieldset" and "disabled" in anc.attrs:
            legend = next((c for c in anc.children if isinstance(c, Element) and c.tag == "legend"), None)
            if legend is None or child is not legend:
                return True
        child = anc
    return False


def check_actionable(doc: Document, el: Element) -> None:
    if doc.invisible(el):
        raise Timeout("Timeout 5000ms exceeded.")


def focusable(el: Element) -> bool:
    if el.tag in ("input", "select", "textarea", "button") and el.tag_name.isupper():
        return not disabled(el) and not (el.tag == "input" and el.input_type == "hidden")
    if el.tag in ("a", "area") and "href" in el.attrs:
        return True
    if el.tag == "summary" or "tabindex" in el.attrs:
        return True
    return el.attrs.get("contenteditable", "x").lower() in ("", "true", "plaintext-only")


def focus_on_click(doc: Document, el: Element) -> None:
    """A mouse press focuses the nearest focusable ancestor, else blurs to the body."""
    doc.active = next((e for e in (el, *el.ancestors()) if focusable(e)), None)


def form_owner(doc: Document, el: Element) -> Element | None:
    if "form" in el.attrs:
        f = doc.get_element_by_id(el.attrs["form"])
        return f if f is not None and f.tag == "form" else None
    return next((a for a in el.ancestors() if a.tag == "form"), None)


def _is_submit(el: Element) -> bool:
    if el.tag == "button" and el.tag_name == "BUTTON":
        return (el.attrs.get("type") or "submit").lower() not in ("button", "reset")
    return el.tag == "input" and el.input_type in _SUBMIT_INPUTS


# --- click ------------------------------------------------------------------------------------------


def click(session: StaticSession, doc: Document, el: Element) -> None:
    check_actionable(doc, el)
    if disabled(el):
        raise Timeout("Timeout 5000ms exceeded.")
    focus_on_click(doc, el)
    activate(session, doc, el)


def activate(session: StaticSession, doc: Document, el: Element, via_label: bool = False) -> None:  # noqa: C901 - one branch per element kind
    """A click's activation behaviour: the nearest activatable element at or above the target."""
    for node in (el, *el.ancestors()):
        if node.tag in ("a", "area") and "href" in node.attrs:
            session.follow(node.attrs["href"], node.attrs.get("target", ""))
            return
        if node.tag == "input" and node.tag_name == "INPUT":
            if disabled(node):
                return
            kind = node.input_type
            if kind == "checkbox":
                node.checked = not doc.is_checked(node)
            elif kind == "radio":
                _check_radio(doc, node)
            elif kind in _SUBMIT_INPUTS:
                _submit(session, doc, node)
            elif kind == "reset":
                _reset(doc, node)
            return
        if node.tag == "button" and node.tag_name == "BUTTON":
            if disabled(node):
                return
            kind = (node.attrs.get("type") or "submit").lower()
            if kind == "reset":
                _reset(doc, node)
            elif kind != "button":
                _submit(session, doc, node)
            return
        if node.tag in ("select", "textarea"):
            return
        if node.tag == "label" and not via_label:
            control = _labeled_control(doc, node)
            if control is not None and control is not el and control not in el.ancestors():
                if focusable(control):
                    doc.active = control
                activate(session, doc, control, via_label=True)
            return


def _labeled_control(doc: Document, label: Element) -> Element | None:
    return next((c for c in doc.elements if label in doc.labels(c)), None) if label.attrs.get("for") is not None \
        else next((d for d in label.descendants() if d.tag in ("button", "input", "meter", "output", "progress",
                                                                  "select", "textarea") and not (
            d.tag == "input" and d.input_type == "hidden")), None)


def _check_radio(doc: Document, radio: Element) -> None:
    name, owner = radio.attrs.get("name"), form_owner(doc, radio)
    if name:
        for other in doc.elements:
            if other is not radio and other.tag == "input" and other.input_type == "radio" and \
                    other.attrs.get("name") == name and form_owner(doc, other) is owner:
                other.checked = False
    radio.checked = True


def _reset(doc: Document, button: Element) -> None:
    form = form_owner(doc, button)
    if form is None:
        return
    for el in doc.elements:
        if el.tag in ("input", "textarea", "select", "option") and form_owner(doc, el if el.tag != "option" else (
                next((a for a in el.ancestors() if a.tag == "select"), el))) is form:
            el.value = el.checked = el.selected = None


# --- typing and keys ------------------------------------------------------------------------------


def fill(doc: Document, el: Element, text: str) -> None:
    if el.tag == "textarea":
        value = text.replace("\r\n", "\n")
    elif el.tag == "input" and el.tag_name == "INPUT":
        kind = el.input_type
        if kind not in _TEXT_TYPES and kind not in _SET_TYPES:
            raise PageError(f'Error: Input of type "{kind}" cannot be filled')
        if kind == "number" and text and not re.fullmatch(r"[-+]?[\d.eE+-]*", text):
            raise PageError("Error: Cannot type text into input[type=number]")
        if kind in _SET_TYPES and text and sanitize(kind, text, el) != text:
            raise PageError("Error: Malformed value")
        value = sanitize(kind, text, el) if kind != "number" else text
    else:
        raise PageError("Error: Element is not an <input>, <textarea> or [contenteditable] element")
    check_actionable(doc, el)
    if disabled(el) or "readonly" in el.attrs:
        raise Timeout("Timeout 5000ms exceeded.")
    maxlength = el.attrs.get("maxlength", "")
    if maxlength.isdigit() and len(text) <= 200:
        value = value[: int(maxlength)]
    el.value = value
    doc.active = el


def press_enter(session: StaticSession, doc: Document, el: Element | None) -> None:
    """Enter on the focused element: implicit submission, a newline, or a click."""
    if el is None:
        return
    if el.tag == "textarea":
        el.value = doc.value(el) + "\n"
    elif el.tag == "input" and el.input_type in _IMPLICIT:
        form = form_owner(doc, el)
        if form is None:
            return
        default = next((e for e in doc.elements if _is_submit(e) and form_owner(doc, e) is form), None)
        if default is not None:
            if not disabled(default):
                _submit(session, doc, default)
        elif sum(1 for e in doc.elements if e.tag == "input" and e.input_type in _IMPLICIT
                 and form_owner(doc, e) is form) == 1:
            _submit(session, doc, None, form)
    elif (el.tag in ("a", "area") and "href" in el.attrs) or el.tag == "button" or (
            el.tag == "input" and el.input_type in ("submit", "reset", "button", "image")):
        activate(session, doc, el)


def press(session: StaticSession, doc: Document, keys: str) -> None:
    from mira.env.browser import _normalize_keys

    key = _normalize_keys(keys)
    el = doc.active
    if key == "Enter":
        press_enter(session, doc, el)
    elif el is not None and key in ("Space", " ") and (el.tag == "button" or (
            el.tag == "input" and el.input_type in ("checkbox", "radio", "submit", "reset", "button"))):
        activate(session, doc, el)
    elif el is not None and (el.tag == "textarea" or (el.tag == "input" and el.input_type in _TEXT_TYPES)):
        if len(key) == 1:
            el.value = doc.value(el) + key
        elif key == "Backspace":
            el.value = doc.value(el)[:-1]


def select(doc: Document, el: Element, element_id: str, option: str) -> str | None:
    if el.tag_name != "SELECT":
        return f"select: [{element_id}] is not a drop-down (<select>); click it instead"
    opts = doc.options(el)
    labels = [(o.attrs.get("label") or _option_text(o)).strip() for o in opts]
    if option.strip() not in labels:
        return f"select: no option {option!r} in [{element_id}]; options: {', '.join(map(repr, labels[:30]))}"
    if disabled(el):
        raise Timeout("Timeout 5000ms exceeded.")
    chosen = labels.index(option.strip())
    for i, o in enumerate(opts):
        o.selected = i == chosen
    return None


def _option_text(o: Element) -> str:
    return re.sub(r"[\t\n\f\r ]+", " ", o.text_content()).strip("\t\n\f\r ")


# --- submission -------------------------------------------------------------------------------------


def _submit(session: StaticSession, doc: Document, submitter: Element | None, form: Element | None = None) -> None:
    form = form if form is not None else form_owner(doc, submitter) if submitter is not None else None
    if form is None:
        return
    entries = form_data(doc, form, submitter)
    def attr(name: str, fallback: str) -> str:
        if submitter is not None and f"form{name}" in submitter.attrs:
            return submitter.attrs[f"form{name}"]
        return form.attrs.get(name, fallback)
    tab = session.page
    action = urljoin(tab.url, attr("action", "").strip()) if attr("action", "").strip() else tab.url
    method = attr("method", "get").strip().lower()
    body = urlencode(entries)
    if method == "post":
        session.navigate(tab, "POST", action, body)
    else:
        parts = urlsplit(action)
        session.navigate(tab, "GET", urlunsplit((parts.scheme, parts.netloc, parts.path, body, parts.fragment)))


def form_data(doc: Document, form: Element, submitter: Element | None) -> list[tuple[str, str]]:
    """The form data set (HTML 'constructing the entry list'), urlencoded-ready."""
    out: list[tuple[str, str]] = []
    for el in doc.elements:
        if el.tag not in ("input", "button", "select", "textarea") or form_owner(doc, el) is not form:
            continue
        if disabled(el) or any(a.tag == "datalist" for a in el.ancestors()):
            continue
        name = el.attrs.get("name", "")
        if el.tag == "button" or (el.tag == "input" and el.input_type in ("submit", "image", "reset", "button")):
            if el is submitter and name and el.input_type != "image":
                out.append((name, el.attrs.get("value", "")))
            continue
        if not name:
            continue
        if el.tag == "select":
            out.extend((name, o.attrs.get("value", _option_text(o))) for o in doc.selected_options(el)
                       if not disabled(o))
        elif el.tag == "input" and el.input_type in ("checkbox", "radio"):
            if doc.is_checked(el):
                out.append((name, el.attrs.get("value", "on")))
        elif el.tag == "input" and el.input_type == "file":
            continue
        else:
            out.append((name, doc.value(el)))
    return [(_crlf(k), _crlf(v)) for k, v in out]


def _crlf(s: str) -> str:
    return re.sub(r"\r(?!\n)|(?<!\r)\n", "\r\n", s)


_SAFE = re.compile(r"[^*\-._0-9A-Za-z ]")


def urlencode(entries: list[tuple[str, str]]) -> str:
    """application/x-www-form-urlencoded as the URL standard serializes it (differs from Python's on ~ and *)."""
    def enc(s: str) -> str:
        return _SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), s).replace(" ", "+")
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in entries)
