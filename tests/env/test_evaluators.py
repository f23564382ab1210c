"""WebArena evaluator semantics, as tables of cases (tests/data/evaluators/cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mira.env.evaluators import (
    EVALUATORS,
    JudgeQuery,
    clean_answer,
    evaluate,
    reddit_post_url,
    tokenize,
)

CASES = json.loads((Path(__file__).parent.parent / "data" / "evaluators" / "cases.json").read_text())


def _config(eval_types: list[str], **ev: Any) -> dict[str, Any]:
    return {"intent": "What is it?", "eval": {"eval_types": eval_types, "reference_answers": None,
                                               "reference_url": "", "program_html": [], **ev}}


@pytest.mark.parametrize("case", CASES["string_match"], ids=lambda c: c["why"])
def test_string_match_table(case: dict[str, Any]) -> None:
    res = evaluate(_config(["string_match"], reference_answers=case["ref"]), answer=case["answer"])
    assert not res.needs_judge
    assert res.score == case["score"], res.details


@pytest.mark.parametrize("case", CASES["url_match"], ids=lambda c: c["why"])
def test_url_match_table(case: dict[str, Any]) -> None:
    extra = {"url_note": case["url_note"]} if "url_note" in case else {}
    res = evaluate(_config(["url_match"], reference_url=case["reference_url"], **extra), page_url=case["url"])
    assert res.score == case["score"], res.details


def test_clean_answer_and_tokens() -> None:
    assert clean_answer('  "Blue Mat" ') == "blue mat"
    assert clean_answer("'x\"") == "'x\""  # unmatched quotes stay
    assert tokenize("$0.00 and 1,000 items.") == ["$", "0.00", "and", "1,000", "items", "."]


def test_fuzzy_match_without_judge_is_flagged_not_scored() -> None:
    res = evaluate(_config(["string_match"], reference_answers={"fuzzy_match": ["the blue one"]}), answer="blue")
    assert res.needs_judge and res.score == 0.0
    assert "needs an LLM judge" in res.details["string_match"]["needs_judge"]


def test_fuzzy_match_with_a_judge() -> None:
    asked: list[JudgeQuery] = []

    def judge(q: JudgeQuery) -> float:
        asked.append(q)
        return float("blue" in q.answer)

    cfg = _config(["string_match"], reference_answers={"fuzzy_match": ["the blue one"]})
    assert evaluate(cfg, answer="Blue", judge=judge).score == 1.0
    assert evaluate(cfg, answer="red", judge=judge).score == 0.0
    assert asked[0] == JudgeQuery("fuzzy_match", "What is it?", "the blue one", "blue")


def test_na_uses_ua_match_with_string_note() -> None:
    cfg = _config(["string_match"], reference_answers={"fuzzy_match": "N/A"}, string_note="no such order")
    assert evaluate(cfg, answer="I cannot find it").needs_judge
    seen: list[JudgeQuery] = []
    res = evaluate(cfg, answer="there is no such order", judge=lambda q: seen.append(q) or 1.0)
    assert res.score == 1.0 and seen[0].kind == "ua_match" and seen[0].reference == "no such order"


def test_llm_judge_from_llm_object() -> None:
    from mira.types import Completion

    class Fixed:
        name = "fixed"

        def __init__(self, reply: str) -> None:
            self.reply = reply

        def complete(self, messages: list[dict[str, str]], **sampling: Any) -> Completion:
            assert "the blue one" in messages[0]["content"]
            return Completion(self.reply)

    cfg = _config(["string_match"], reference_answers={"fuzzy_match": ["the blue one"]})
    assert evaluate(cfg, answer="blue", judge=Fixed("Correct.")).score == 1.0
    assert evaluate(cfg, answer="blue", judge=Fixed("incorrect")).score == 0.0


PAGES = {
    ("http://s/cart", ""): "<div>SPAAS White Taper Candles - 4 Pack &amp; more</div>",
    ("last", "document.querySelector('.title').outerText"): "My Post Title",
    ("http://s/f/books/12/", "document.querySelector('.title').outerText"): "Post 12",
}


def _run_js(url: str, locator: str) -> str:
    if (url, locator) not in PAGES:
        raise RuntimeError(f"no page {url} {locator}")
    return PAGES[(url, locator)]


@pytest.mark.parametrize(("target", "score"), [
    ({"url": "http://s/cart", "locator": "", "required_contents": {"must_include": [
        "10 Inch Tall Candles |OR| SPAAS White Taper Candles - 4 Pack"]}}, 1.0),
    ({"url": "http://s/cart", "locator": "", "required_contents": {"must_include": ["4 Pack & more"]}}, 1.0),
    ({"url": "http://s/cart", "locator": "", "required_contents": {"must_include": ["Red Candles"]}}, 0.0),
    ({"url": "last", "locator": "document.querySelector('.title').outerText",
      "required_contents": {"exact_match": "my post title"}}, 1.0),
    ({"url": "last", "locator": "document.querySelector('.nope').outerText",
      "required_contents": {"must_include": ["x"]}}, 0.0),  # a failing locator reads as ''
    ({"url": "func:reddit_get_post_url('__last_url__')", "locator": "document.querySelector('.title').outerText",
      "required_contents": {"must_include": ["Post 12"]}}, 1.0),
])
def test_program_html(target: dict[str, Any], score: float) -> None:
    cfg = _config(["program_html"], program_html=[target])
    res = evaluate(cfg, page_url="http://s/f/books/12/my-post/comment/3", run_js=_run_js)
    assert res.score == score, res.details


def test_program_html_reader_errors_are_reported() -> None:
    cfg = _config(["program_html"], program_html=[{"url": "http://s/missing", "locator": "",
                                                   "required_contents": {"must_include": ["x"]}}])
    res = evaluate(cfg, page_url="http://s/", run_js=_run_js)
    assert res.score == 0.0 and "no page http://s/missing" in res.details["program_html"]["targets"][0]["error"]


def test_scores_multiply_across_eval_types() -> None:
    cfg = _config(["url_match", "program_html"], reference_url="http://s/cart", program_html=[
        {"url": "last", "locator": "document.querySelector('.title').outerText",
         "required_contents": {"must_include": ["title"]}}])
    assert evaluate(cfg, page_url="http://s/cart", run_js=_run_js).score == 1.0
    assert evaluate(cfg, page_url="http://s/home", run_js=_run_js).score == 0.0


def test_reddit_post_url() -> None:
    assert reddit_post_url("http://r:9999/f/books/12/slug/comment/4") == "http://r:9999/f/books/12/"
    assert reddit_post_url("http://r:9999/user/x") == "http://r:9999/user/x"


@pytest.mark.parametrize(("cfg", "message"), [
    ({"eval": {}}, "eval.eval_types"),
    (_config(["dom_match"]), "valid: string_match, url_match, program_html"),
    (_config(["string_match"], reference_answers={"regex": "x"}), "valid: exact_match, must_include"),
    (_config(["url_match"], reference_url="http://s", url_note="PREFIX"), "valid: 'GOLD in PRED', 'EXACT'"),
    (_config(["program_html"], program_html=[{"url": "last", "locator": ""}]), "needs run_js"),
    (_config(["string_match"], reference_answers={"must_include": [1, 2]}), "list of strings"),
])
def test_bad_configs_say_what_is_valid(cfg: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate(cfg, answer="x", page_url="http://s")


def test_registry_names() -> None:
    assert set(EVALUATORS) == {"string_match", "url_match", "program_html"}
