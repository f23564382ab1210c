"""The page's valid actions as choices: spans of the goal, answers, heads, and mapping actions back."""

from __future__ import annotations

from mira.train.candidates import choices, goal_spans, goal_words, locate, mark, page_answers, render
from mira.types import Observation

PAGE = """[1] navigation 'Shop'
\t[2] link 'My Cart'
\t[3] link 'Sign out'
[4] main
\t[5] textbox 'Search' value='mat'
\t[6] combobox 'Sort by' value='Name'
\t\t[7] option 'Name' selected
\t\t[8] option 'Price: low to high'
\t[9] button 'Search'
\t[10] link 'Blue Mat'
\tStaticText '$12.50'
\t[11] link 'Blue Mat'
\t[12] StaticText 'SKU HOM-0042, 3 reviews'"""


def test_goal_spans_keep_quotes_runs_and_split_forms() -> None:
    spans = goal_spans('Post "Hello there" in kube-tools/helm-lint for $30 and the Blue Mat.')
    assert spans[0] == "Hello there"
    for want in ("kube-tools/helm-lint", "helm-lint", "kube-tools", "$30", "30", "Blue Mat", "Blue", "Mat"):
        assert want in spans, want
    assert "the" not in spans and "and the Blue" not in spans  # stop words split runs
    assert "Sophia Young" in goal_spans("How many orders has the customer Sophia Young placed?")  # any slice


def test_page_answers_offer_none_numbers_codes_and_texts() -> None:
    answers = page_answers("[1] main\n\tStaticText 'Total $1,204.50 for 3 items; SKU HOM-0042; version v2'\n"
                           "\t[7] StaticText 'Status: Canceled'\n\t[8] link 'curious_heron58'")
    assert answers[0] == ""
    assert {"$1,204.50", "1,204.50", "3", "HOM-0042", "Canceled", "Status: Canceled", "curious_heron58"} <= set(answers)
    assert "2" not in answers  # a digit inside a word is not a number
    assert "1" not in answers and "7" not in answers  # element ids are not on the page's text


def test_choices_cover_click_type_select_stop_and_drop_duplicates() -> None:
    heads = choices(Observation(text=PAGE), "Find the Blue Mat")
    texts = [c.text for c in heads]
    assert texts == ["click link 'My Cart'", "click link 'Sign out'", "type textbox 'Search' +enter",
                     "type textbox 'Search'", "select combobox 'Sort by'", "click button 'Search'",
                     "click link '*Blue* *Mat*'", "stop", "go back"]  # no site heads: the page has no address
    assert heads[6].action == "click [10]"  # the first of two equal links
    assert heads[4].tails == ("Name", "Price: low to high")
    assert "Blue Mat" in heads[2].tails and heads[2].action == "type [5] [{}] [1]"
    assert heads[7].tails[0] == "" and "3" in heads[7].tails


def test_render_and_locate_round_trip() -> None:
    heads = choices(Observation(text=PAGE), "Find the Blue Mat")
    for action in ("click [10]", "type [5] [Blue Mat] [1]", "select [6] [Price: low to high]", "stop []", "stop [3]",
                   "go_back"):
        hit = locate(heads, action)
        assert hit is not None, action
        head, tail = hit
        assert render(heads[head], heads[head].tails[tail] if tail >= 0 else None) == action
    assert locate(heads, "click [11]") is None  # the duplicate's id is not offered
    assert locate(heads, "goto [http://x]") is None


def test_pages_with_an_address_offer_the_arena_sites() -> None:
    heads = choices(Observation(text=PAGE, url="http://127.0.0.1:8123/shop/search?q=mat"), "Find the Blue Mat")
    assert locate(heads, "goto [http://127.0.0.1:8123/code/]") is not None
    assert [c.text for c in heads if c.text.startswith("go to")] == [
        "go to site 'forum'", "go to site 'code'", "go to site 'shop'", "go to site 'shop admin'"]


def test_mark_highlights_the_goals_content_words_only() -> None:
    words = goal_words("Add the Blue Wool Mat to my wish list.")
    assert mark("Blue Mat", words) == "*Blue* *Mat*"
    assert mark("My Wish List", words) == "My *Wish* *List*"  # 'my' is a stop word
    assert mark("Red Rug", words) == "Red Rug"
