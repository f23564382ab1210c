"""WebArena's task evaluators (string_match, url_match, program_html), used by the arena and webarena-lite.

Semantics follow WebArena's evaluation harness (read, not copied), with two documented fixes:
- ` |OR| ` alternatives are honoured in string_match's must_include too (WebArena split them only in
  program_html, so e.g. WebArena-Lite task 94, must_include ["65 |OR| 3"], could never pass).
- fuzzy_match / unachievable (N/A) checks need an LLM judge; without one the result says so
  (`needs_judge=True`) instead of silently scoring 0 or 1.

Scores of the eval types of one task multiply, as in WebArena.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from mira.types import LLM

__all__ = ["EvalResult", "EvalContext", "JudgeQuery", "Judge", "RunJS", "EVALUATORS", "evaluate", "clean_answer",
           "exact_match", "must_include", "tokenize", "llm_judge", "url_matches", "reddit_post_url"]

log = logging.getLogger(__name__)

OR = " |OR| "
RunJS = Callable[[str, str], str]
"""(url or 'last', locator) -> text. Locator '' means the whole page content (HTML, as WebArena's
page.content()); a 'document....' locator is a JS expression; 'func:...' locators/urls that evaluators cannot
resolve themselves are passed through for the caller to implement. Return '' when the JS fails."""


@dataclass(frozen=True)
class JudgeQuery:
    """One question to an LLM judge."""

    kind: str
    """'fuzzy_match' (is the answer semantically the reference?) or 'ua_match' (does the answer say the task is
    unachievable for the reason in the reference?)."""
    intent: str
    """The task's instruction."""
    reference: str
    answer: str


Judge = Callable[[JudgeQuery], float]
"""Returns 1.0 (correct) or 0.0 (incorrect)."""


@dataclass(frozen=True)
class EvalResult:
    """The outcome of evaluating one task's end state."""

    score: float
    """In [0, 1]; the product over the task's eval types. 0.0 when `needs_judge`."""
    details: dict[str, Any] = field(default_factory=dict)
    """Per eval type: its score and what was compared."""
    needs_judge: bool = False
    """True when the score depends on an LLM judge that was not configured (the score is then undecided)."""


@dataclass(frozen=True)
class EvalContext:
    """What the evaluators read of the episode's end."""

    answer: str = ""
    """The agent's final answer (stop [answer])."""
    page_url: str = ""
    """The URL of the last page."""
    run_js: RunJS | None = None
    """Reads page text for program_html (browser-backed or not)."""
    judge: Judge | None = None
    """An LLM judge for fuzzy_match / N/A; None means 'not configured'."""


# --- string rules ---------------------------------------------------------------------------------

def clean_answer(answer: str) -> str:
    """Strip whitespace and one pair of enclosing quotes, lower-case (WebArena's normalisation)."""
    answer = answer.strip()
    if len(answer) >= 2 and answer[0] == answer[-1] and answer[0] in "'\"":
        answer = answer[1:-1]
    return answer.lower()


_TOKEN = re.compile(r"\w+(?:[.,']\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Word tokens close to NLTK's word_tokenize for short answers: '$0.00' -> ['$', '0.00']."""
    return _TOKEN.findall(text)


def exact_match(ref: str, pred: str) -> float:
    return float(clean_answer(pred) == clean_answer(ref))


def must_include(ref: str, pred: str, tokenize_single: bool = False) -> float:
    """1.0 if any ` |OR| ` alternative of `ref` occurs in `pred`.

    With `tokenize_single` (WebArena: the reference list has one entry), a one-character reference must be a
    whole token, so '0' does not match '10' (WebArena's guard against false positives).
    """
    pred_c = clean_answer(pred)
    for alt in ref.split(OR):
        alt_c = clean_answer(alt)
        if tokenize_single and len(alt_c) == 1 and len(tokenize(alt_c)) == 1:
            if alt_c in tokenize(pred_c):
                return 1.0
        elif alt_c in pred_c:
            return 1.0
    return 0.0


class _NeedsJudge(Exception):
    """A judge was needed but none was configured."""


def _ask(ctx: EvalContext, query: JudgeQuery) -> float:
    if ctx.judge is None:
        raise _NeedsJudge(query.kind)
    return float(ctx.judge(query))


def _fuzzy(ctx: EvalContext, ref: str, pred: str, intent: str) -> float:
    if not pred:  # WebArena: an empty answer only matches an empty reference, no judge needed
        return float(not ref)
    return _ask(ctx, JudgeQuery("fuzzy_match", intent, ref, pred))


def _as_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ValueError(f"{what} must be a string or a list of strings, got {type(value).__name__}: {value!r}")


def string_match(config: dict[str, Any], ctx: EvalContext) -> EvalResult:
    """Compare the answer with eval.reference_answers (exact_match, must_include, fuzzy_match)."""
    ev = config["eval"]
    refs = ev.get("reference_answers") or {}
    pred = clean_answer(ctx.answer)
    parts: dict[str, float] = {}
    pending: list[str] = []
    for approach, value in refs.items():
        try:
            parts[approach] = _string_part(approach, value, pred, config, ctx)
        except _NeedsJudge:
            pending.append(approach)
    return _combine(parts, pending, {"answer": ctx.answer, "reference_answers": refs})


def _string_part(approach: str, value: Any, pred: str, config: dict[str, Any], ctx: EvalContext) -> float:
    if approach == "exact_match":
        return exact_match(str(value), pred)
    if approach == "must_include":
        values = _as_list(value, "must_include")
        score = 1.0
        for v in values:
            score *= must_include(v, pred, tokenize_single=len(values) == 1)
        return score
    if approach == "fuzzy_match":
        intent = config.get("intent", "")
        if value == "N/A":  # an unachievable task: 'N/A' exactly, or the judge accepts the stated reason
            if exact_match("N/A", pred):
                return 1.0
            return _ask(ctx, JudgeQuery("ua_match", intent, config["eval"].get("string_note", ""), pred))
        score = 1.0
        for v in _as_list(value, "fuzzy_match"):
            score *= _fuzzy(ctx, v, pred, intent)
        return score
    raise ValueError(f"unknown reference_answers rule {approach!r}; valid: exact_match, must_include, fuzzy_match")


def _combine(parts: dict[str, float], pending: list[str], details: dict[str, Any]) -> EvalResult:
    """Multiply the decided parts; undecided (judge-needing) parts matter only if the rest is not already 0."""
    score = 1.0
    for s in parts.values():
        score *= s
    details = {**details, "parts": parts}
    if pending and score != 0.0:
        details["needs_judge"] = (f"{', '.join(pending)} needs an LLM judge: pass judge= (a callable or an LLM spec "
                                  "such as openai:gpt-4o)")
        return EvalResult(0.0, details, needs_judge=True)
    return EvalResult(score, details)


# --- url rules ------------------------------------------------------------------------------------

def _split_url(url: str) -> tuple[str, dict[str, list[str]]]:
    """netloc+path without trailing '/', and the parsed query (WebArena ignores scheme and fragment)."""
    p = urlparse(url.strip().rstrip("/"))
    return (p.netloc + p.path).rstrip("/"), parse_qs(p.query)


def url_matches(reference_url: str, page_url: str, note: str = "GOLD in PRED") -> bool:
    """WebArena's url_match on one page URL.

    'GOLD in PRED': some reference's netloc+path occurs in the page's, and for every query key of the
    references the page has one of their values. 'EXACT': some reference has the same netloc+path and the
    same query as the page.
    """
    refs = [_split_url(u) for u in reference_url.split(OR) if u.strip()]
    pred_path, pred_query = _split_url(page_url)
    if note == "EXACT":
        return any(path == pred_path and query == pred_query for path, query in refs)
    if note != "GOLD in PRED":
        raise ValueError(f"unknown url_note {note!r}; valid: 'GOLD in PRED', 'EXACT'")
    if not any(path in pred_path for path, _ in refs):
        return False
    wanted: dict[str, set[str]] = {}
    for _, query in refs:
        for k, vs in query.items():
            wanted.setdefault(k, set()).update(vs)
    return all(any(v in pred_query.get(k, []) for v in vs) for k, vs in wanted.items())


def url_match(config: dict[str, Any], ctx: EvalContext) -> EvalResult:
    """Compare the last page's URL with eval.reference_url (alternatives joined by ` |OR| `)."""
    ev = config["eval"]
    note = ev.get("url_note") or "GOLD in PRED"
    ok = url_matches(ev.get("reference_url", ""), ctx.page_url, note)
    return EvalResult(float(ok), {"page_url": ctx.page_url, "reference_url": ev.get("reference_url", ""),
                                  "url_note": note})


# --- program_html ---------------------------------------------------------------------------------

def reddit_post_url(url: str) -> str:
    """WebArena's reddit_get_post_url: `/f/SUB/ID/anything` -> `/f/SUB/ID/`; other URLs unchanged."""
    p = urlparse(url)
    parts = p.path.split("/")
    if len(parts) < 4 or parts[1] != "f":
        return url
    return f"{p.scheme}://{p.netloc}/f/{parts[2]}/{parts[3]}/"


_REDDIT_POST = re.compile(r"^func:reddit_get_post_url\(['\"]__last_url__['\"]\)$")


def _target_url(url: str, page_url: str) -> str:
    """Resolve the helper URLs evaluators can compute; others ('func:...') go to run_js as they are."""
    if _REDDIT_POST.match(url.strip()):
        return reddit_post_url(page_url)
    return url


def program_html(config: dict[str, Any], ctx: EvalContext) -> EvalResult:
    """Check page contents: each target reads text at a url ('last' = the final page) with a locator."""
    if ctx.run_js is None:
        raise ValueError("program_html needs run_js(url, locator) -> text (a page reader); none was given")
    parts: dict[str, float] = {}
    pending: list[str] = []
    seen: list[dict[str, Any]] = []
    for i, target in enumerate(config["eval"].get("program_html") or []):
        url = _target_url(target["url"], ctx.page_url)
        error = ""
        try:
            text = ctx.run_js(url, target.get("locator", ""))
        except Exception as e:  # WebArena: a page where the locator fails counts as empty
            log.info("program_html target %d: %s", i, e)
            text, error = "", f"{type(e).__name__}: {e}"
        text = html.unescape(text or "")
        seen.append({"url": url, "locator": target.get("locator", ""), "text": text[:500], **({"error": error} if error else {})})
        try:
            parts[f"target{i}"] = _contents_score(target.get("required_contents") or {}, text, config, ctx)
        except _NeedsJudge:
            pending.append(f"target{i}")
    return _combine(parts, pending, {"targets": seen})


def _contents_score(required: dict[str, Any], text: str, config: dict[str, Any], ctx: EvalContext) -> float:
    if "exact_match" in required:
        return exact_match(str(required["exact_match"]), text)
    if "must_include" in required:
        score = 1.0
        for v in _as_list(required["must_include"], "required_contents.must_include"):
            score *= must_include(v, text)
        return score
    if "fuzzy_match" in required:
        score = 1.0
        for v in _as_list(required["fuzzy_match"], "required_contents.fuzzy_match"):
            score *= _fuzzy(ctx, v, clean_answer(text), config.get("intent", ""))
        return score
    raise ValueError(f"unknown required_contents {sorted(required)}; valid: exact_match, must_include, fuzzy_match")


EVALUATORS: dict[str, Callable[[dict[str, Any], EvalContext], EvalResult]] = {
    "string_match": string_match,
    "url_match": url_match,
    "program_html": program_html,
}


def evaluate(config: dict[str, Any], *, answer: str = "", page_url: str = "", run_js: RunJS | None = None,
             judge: Judge | LLM | str | None = None) -> EvalResult:
    """Score a WebArena-format task config against the episode's end (answer, last URL, page reader).

    `judge`: a callable, an LLM, or an LLM spec string (see mira.llm); None = no judge configured.
    """
    if "eval" not in config or "eval_types" not in config["eval"]:
        raise ValueError("task config has no eval.eval_types; expected WebArena format")
    ctx = EvalContext(answer, page_url, run_js, _as_judge(judge))
    score, details, needs = 1.0, {}, False
    for kind in config["eval"]["eval_types"]:
        if kind not in EVALUATORS:
            raise ValueError(f"unknown eval type {kind!r}; valid: {', '.join(EVALUATORS)}")
        res = EVALUATORS[kind](config, ctx)
        details[kind] = {"score": res.score, **res.details}
        score *= res.score
        needs = needs or res.needs_judge
    decided_zero = any(not d.get("needs_judge") and d["score"] == 0.0 for d in details.values())
    if needs and not decided_zero:
        return EvalResult(0.0, details, needs_judge=True)
    return EvalResult(score, details)


def _as_judge(judge: Judge | LLM | str | None) -> Judge | None:
    if judge is None:
        return None
    if isinstance(judge, str) or isinstance(judge, LLM):
        return llm_judge(judge)
    return judge


_JUDGE_PROMPT = {
    "fuzzy_match": ("Help a teacher grade a student's answer. The question: {intent}\n"
                    "The reference answer: {reference}\nThe student's answer: {answer}\n"
                    "Is the student's answer semantically equivalent to the reference (extra detail is fine)? "
                    "Reply with one word: correct or incorrect."),
    "ua_match": ("A task was judged unachievable, for this reason: {reference}\nThe task: {intent}\n"
                 "The agent replied: {answer}\nDoes the agent say the task cannot be done, for the same reason? "
                 "Reply with one word: same or different."),
}


def llm_judge(llm: LLM | str) -> Judge:
    """A Judge backed by an LLM (object or spec); greedy, one word, 'correct'/'same' = 1.0."""
    from mira.llm import make_llm  # only when a judge is configured

    model = make_llm(llm)

    def judge(q: JudgeQuery) -> float:
        if q.kind not in _JUDGE_PROMPT:
            raise ValueError(f"unknown judge query kind {q.kind!r}; valid: {', '.join(_JUDGE_PROMPT)}")
        prompt = _JUDGE_PROMPT[q.kind].format(intent=q.intent, reference=q.reference, answer=q.answer)
        reply = model.complete([{"role": "user", "content": prompt}], temperature=0.0).text.strip().lower()
        word = re.sub(r"[^a-z ]", "", reply).split()
        return float(bool(word) and word[0] in ("correct", "same"))

    return judge
