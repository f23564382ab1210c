"""The page's valid actions as short texts an LM can score (constrained decoding over candidates).

A tiny LM trained on 2 CPU cores does not learn to copy an element id off the page (tiny_feasibility.md), so the
`scored` policy never writes an id: it chooses among the page's actions, each said in words
(`click link 'Blue Wool Scarf'`), and the chosen words map back to the WebArena action (`click [69]`).

Choices are two-level: a *head* per element or command (click X, type into X, select in X, go to a site, stop,
go back), and for heads that take an argument, *tails*: spans of the goal to type, the options of a select, or an
answer (none, a number or a text read on the page). 98% of the oracle's train-split actions are among them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mira.arena.oracle import nodes
from mira.types import Observation

CLICK_ROLES = ("link", "button", "checkbox", "radio", "tab", "menuitem", "switch")
TYPE_ROLES = ("textbox", "searchbox")
STOPWORDS = frozenset(
    "a an the to as and with in of by for from on at is are into under between named called titled whose where "
    "each all my your me show find what how many which who it its this that".split())
MAX_SPAN_WORDS = 8
SITES = (("forum", "/forum/"), ("code", "/code/"), ("shop", "/shop/"), ("shop admin", "/admin/"))
MAX_ANSWERS = 80
MAX_ANSWER_CHARS = 60
_WORD = re.compile(r"[\w$@./&+#-]+(?:'s)?|[,;:?!()\"]")
_NAME = re.compile(r"^\s*(?:\[[^\]]+\]\s+)?\w+\s+'(.+)'", re.M)
_ID = re.compile(r"\s*\[([^\]]+)\]")
_NUMBER = re.compile(r"(?<![\w.])\$?\d[\d,]*(?:\.\d+)?(?![\w-])|\b[A-Z]+-\d+\b")


@dataclass(frozen=True)
class Choice:
    """One head: the words the LM scores, the action it stands for, and its tails (empty: none needed)."""

    text: str
    """What the LM scores, e.g. `type textbox 'Search' +enter`."""
    action: str
    """The action with `{}` where the tail goes, e.g. `type [17] [{}] [1]`; no `{}` when there are no tails."""
    tails: tuple[str, ...] = ()
    """Arguments to choose from (each scored as `[tail]`)."""


def goal_spans(goal: str) -> list[str]:
    """Candidate texts to type: quoted strings, and every slice (<= 8 words) of the word runs between stop words and
    punctuation ("customer Sophia Young placed" -> "Sophia Young")."""
    out = re.findall(r'"([^"]+)"', goal) + re.findall(r"(?<!\w)'([^']+)'(?!\w)", goal)
    runs: list[list[str]] = [[]]
    for w in _WORD.findall(goal):
        word = w[:-1] if w.endswith(".") and len(w) > 1 else w
        if w in ',;:?!()"' or word.lower() in STOPWORDS:
            runs.append([])
        else:
            runs[-1].append(word)
    for run in runs:
        n = len(run)
        out += [" ".join(run[i:j]) for i in range(n) for j in range(i + 1, min(n, i + MAX_SPAN_WORDS) + 1)]
    extra = [s[1:] for s in out if s.startswith("$")] + [p for s in out if "/" in s for p in s.split("/")]
    return [s for s in dict.fromkeys(x.strip() for x in out + extra) if s]


def goal_words(goal: str) -> frozenset[str]:
    """The goal's content words, lower-cased (what `mark` highlights)."""
    return frozenset(w.lower().strip(".,'\"") for w in goal.split()) - STOPWORDS - {""}


def mark(name: str, words: frozenset[str]) -> str:
    """`Blue Wool Mat` -> `*Blue* Wool *Mat*` when the goal says blue and mat: a reading aid for a small LM.

    Matching a name against the goal is the skill a ~1M-parameter model does not learn in CPU-minutes
    (tiny_feasibility.md); with the words marked, choosing the right element is learnable from a few epochs."""
    return " ".join(f"*{w}*" if w.lower().strip(".,'\"") in words else w for w in name.split())


def page_answers(text: str) -> list[str]:
    """Answers to offer `stop`: none, the numbers in the page's texts (as written, and without `$`), then the texts
    themselves (titles, names; `Status: Canceled` offers `Canceled`), first seen first. Element ids are not texts."""
    names = [n.strip() for n in _NAME.findall(text)]
    found = ["", *(m.group(0) for n in names for m in _NUMBER.finditer(n))]
    found += [s[1:] for s in found if s.startswith("$")]
    for name in names:
        found += [name, name.rpartition(": ")[2].strip()] if ": " in name else [name]
    return [a for a in dict.fromkeys(found) if len(a) <= MAX_ANSWER_CHARS][:MAX_ANSWERS]


def _options(lines: list[str], start: int) -> tuple[str, ...]:
    """Names of the `option` lines nested under the combobox at `start`."""
    depth = len(lines[start]) - len(lines[start].lstrip("\t"))
    out = []
    for line in lines[start + 1:]:
        if len(line) - len(line.lstrip("\t")) <= depth:
            break
        m = re.match(r"\s*\[[^\]]+\]\s+option\s+'(.*?)'(?:\s+selected)?$", line)
        if m:
            out.append(m.group(1))
    return tuple(out)


def choices(obs: Observation, goal: str) -> list[Choice]:
    """Every head on the page, in page order, without duplicate texts (the first of equal ones is kept)."""
    spans = tuple(goal_spans(goal))
    words = goal_words(goal)
    lines = obs.text.splitlines()
    index = {m.group(1): i for i, ln in enumerate(lines) if (m := _ID.match(ln))}
    out: list[Choice] = []
    for n in nodes(obs):
        said = f"{n.role} '{mark(n.name, words)}'"
        if n.role in CLICK_ROLES:
            out.append(Choice(f"click {said}", f"click [{n.id}]"))
        elif n.role in TYPE_ROLES and spans:
            out += [Choice(f"type {said} +enter", f"type [{n.id}] [{{}}] [1]", spans),
                    Choice(f"type {said}", f"type [{n.id}] [{{}}] [0]", spans)]
        elif n.role == "combobox" and n.id in index and (opts := _options(lines, index[n.id])):
            out.append(Choice(f"select {said}", f"select [{n.id}] [{{}}]", opts))
    if base := re.match(r"https?://[^/]+", obs.url):  # the arena's sites, for tasks that span two of them
        out += [Choice(f"go to site '{name}'", f"goto [{base.group(0)}{path}]") for name, path in SITES]
    out += [Choice("stop", "stop [{}]", tuple(page_answers(obs.text))), Choice("go back", "go_back")]
    first: dict[str, Choice] = {}
    for c in out:
        first.setdefault(c.text, c)
    return list(first.values())


def render(choice: Choice, tail: str | None) -> str:
    """The WebArena action for a head and (if it takes one) its tail."""
    return choice.action.replace("{}", tail or "") if choice.tails else choice.action


def locate(heads: list[Choice], action: str) -> tuple[int, int] | None:
    """(head, tail) indices whose rendering is `action` (tail -1 if none), or None: maps demonstrations onto choices."""
    for i, c in enumerate(heads):
        if not c.tails:
            if c.action == action:
                return i, -1
            continue
        for j, t in enumerate(c.tails):
            if render(c, t) == action:
                return i, j
    return None
