"""The observation text: format, pruning, determinism, truncation and ids usable in actions (real Chromium)."""

from __future__ import annotations

import re

import pytest

from mira.env.actions import parse_action
from mira.env.axtree import truncate
from mira.env.browser import shared_browser

LINE = re.compile(r"^(\t*)(\[\d+\] )?[a-zA-Z]+( '[^\n]*')?( [a-z]+(='[^']*')?(, [a-z]+(='[^']*')?)*)?$")


@pytest.fixture(scope="module")
def session():
    s = shared_browser().new_session()
    yield s
    s.close()


@pytest.fixture
def form(session, page_url):
    assert session.goto(page_url("form.html")) == ""
    return session.observe().text


def test_every_line_has_the_format(form: str) -> None:
    for line in form.splitlines():
        assert LINE.match(line), line
        depth = len(line) - len(line.lstrip("\t"))
        assert depth <= 3


def test_roles_names_and_properties(form: str) -> None:
    lines = [ln.strip() for ln in form.splitlines()]
    ids = {re.sub(r"^\[\d+\] ", "", ln) for ln in lines}
    for expected in ["heading 'Shop search'", "navigation 'Main'", "link 'Next page'", "textbox 'Search' value='shoes'",
                     "searchbox 'Find'", "checkbox 'Subscribe' checked='true'", "radio 'Red' checked='false'",
                     "combobox 'Size' value='Large'", "option 'Large' selected", "textbox 'Notes' value='hello'",
                     "button 'Send now' disabled", "button 'Submit'", "img 'A cat'", "button 'Menu' expanded='false'",
                     "table 'Prices'", "columnheader 'Item'", "cell '3 $'", "link 'Two'", "button 'Shown'"]:
        assert expected in ids, f"missing {expected!r} in\n{form}"
    assert "[6] StaticText 'not a link'" in lines  # a pruned <a> without href: its text keeps its id
    assert "\t[5] link 'Next page'" in form.splitlines()  # indented under navigation


def test_hidden_and_empty_nodes_are_pruned(form: str) -> None:
    for absent in ["Invisible", "hidden text", "aria hidden text", "ghost", "secret", "generic", "StaticText 'now'",
                   "StaticText 'Next page'", "img ''"]:
        assert absent not in form
    assert "StaticText 'Plain'" in form and "StaticText 'here'" in form


def test_deterministic_and_ids_stable(session, page_url, form: str) -> None:
    assert session.observe().text == form  # same page, same text
    session.goto(page_url("form.html"))
    assert session.observe().text == form  # a fresh load gives the same ids
    session.page.evaluate("document.body.insertAdjacentHTML('afterbegin', '<button>New</button>')")
    after = session.observe().text
    assert "[9] textbox 'Search' value='shoes'" in after  # old ids kept, the new element gets the next id
    assert re.search(r"\[(\d+)\] button 'New'", after).group(1) not in {m for m in re.findall(r"\[(\d+)\]", form)}


def test_focus_and_value_follow_actions(session, form: str) -> None:
    assert session.execute(parse_action("type [9] [boots] [0]")) == ""
    text = session.observe().text
    assert "[9] textbox 'Search' value='boots', focused" in text
    assert session.execute(parse_action("click [12]")) == ""
    assert "checkbox 'Subscribe' checked='false'" in session.observe().text
    assert session.execute(parse_action("select [14] [Small]")) == ""
    assert "combobox 'Size' value='Small'" in session.observe().text


def test_truncation_keeps_whole_lines_with_a_marker(session, page_url) -> None:
    session.goto(page_url("long.html"))
    full = session.observe(max_chars=0).text
    cut = session.observe(max_chars=1000).text
    assert len(full) > 10_000 and len(cut) <= 1000
    body, marker = cut.rsplit("\n", 1)
    assert full.startswith(body + "\n")
    assert re.fullmatch(r"\[\.\.\. truncated: \d+ of \d+ lines not shown \.\.\.\]", marker)


@pytest.mark.parametrize(("text", "limit", "kept"), [("a\nb\nc", 100, "a\nb\nc"), ("a" * 50 + "\n" + "b" * 50, 0, None)])
def test_truncate_table(text: str, limit: int, kept: str | None) -> None:
    assert truncate(text, limit) == (kept if kept is not None else text)
