"""htmltree renders exactly what axtree.js renders in Chromium, for the same HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from mira.env import axtree, htmltree

DATA = Path(__file__).resolve().parents[1] / "data" / "htmltree"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.html")))
def test_same_text_as_chromium(name: str) -> None:
    from mira.env.browser import shared_browser

    session = shared_browser().new_session()
    try:
        session.page.goto((DATA / name).as_uri())
        real = axtree.snapshot(session.page)
    finally:
        session.close()
    mine = htmltree.render(htmltree.parse((DATA / name).read_bytes()))
    assert mine.text == real.text
    assert (mine.title, mine.nodes) == (real.title, real.nodes)


def test_ids_are_stable_and_state_shows() -> None:
    doc = htmltree.parse("<p>Hi<form><input name=q aria-label=Q><input type=checkbox aria-label=C checked>"
                         "<select aria-label=S><option>a<option selected>b</select></form>")
    first = htmltree.render(doc).text
    assert first == htmltree.render(doc).text  # a second walk keeps the ids
    q = doc.by_id["4"]
    q.value = "shoes"
    doc.active = q
    text = htmltree.render(doc).text
    assert "[4] textbox 'Q' value='shoes', focused" in text
    assert "checkbox 'C' checked='true'" in text and "combobox 'S' value='b'" in text


def test_squash_and_clip_follow_javascript() -> None:
    assert htmltree.squash("\ufeff a \u00a0 b\x1c") == "a b\x1c"  # JS \s: BOM and nbsp yes, \x1c no
    assert len(htmltree.clip("x" * 300)) == 200
    assert htmltree.clip("😀" * 150).endswith("\u2026")
