"""The action grammar, parsed in one place.

WebArena's grammar (`click [12]`, `type [5] [blue mat] [1]`, `stop [42]`, ...) is canonical; WebRL's
`do(action="Click", element="12")` / `exit(message="...")` form is parsed into the same `Action`, so
WebRL-trained checkpoints work. Each action's docstring is its documentation for prompts
(`describe_actions()`), so the prompt and the parser cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Action", "ActionError", "ACTIONS", "parse_action", "extract_action", "describe_actions"]


class ActionError(ValueError):
    """A reply or action string that is not a valid action; the message says what is valid."""


@dataclass(frozen=True)
class Action:
    """A parsed action: a name from `ACTIONS` and its string arguments."""

    name: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join([self.name, *(f"[{a}]" for a in self.args)])

    @property
    def element(self) -> str:
        """The element id the action targets ('' if none)."""
        return self.args[0] if self.name in _ELEMENT_ACTIONS and self.args else ""


# --- the grammar: one function per action; its docstring is the prompt's line -----------------


def click(element: str) -> Action:
    """click [id]: click the element with this id."""
    return Action("click", (_id(element),))


def type_(element: str, text: str, enter: str = "1") -> Action:
    """type [id] [text] [0|1]: type text into the field (replacing what is there); 1 (the default) presses Enter after."""
    if enter not in ("0", "1"):
        raise ActionError(f"type: the last argument must be 0 or 1, got [{enter}]")
    return Action("type", (_id(element), text, enter))


def hover(element: str) -> Action:
    """hover [id]: move the mouse over the element."""
    return Action("hover", (_id(element),))


def press(keys: str) -> Action:
    """press [keys]: press a key combination, e.g. press [Enter] or press [Control+a]."""
    if not keys.strip():
        raise ActionError("press: give the keys, e.g. press [Enter]")
    return Action("press", (keys.strip(),))


def scroll(direction: str) -> Action:
    """scroll [up|down]: scroll the page."""
    direction = direction.strip().lower()
    if direction not in ("up", "down"):
        raise ActionError(f"scroll: direction must be up or down, got [{direction}]")
    return Action("scroll", (direction,))


def select(element: str, option: str) -> Action:
    """select [id] [option]: choose the option with this label in a drop-down."""
    return Action("select", (_id(element), option))


def goto(url: str) -> Action:
    """goto [url]: open the url in the current tab."""
    if not url.strip():
        raise ActionError("goto: give a url, e.g. goto [http://127.0.0.1:8000/]")
    return Action("goto", (url.strip(),))


def go_back() -> Action:
    """go_back: go to the previous page."""
    return Action("go_back")


def go_forward() -> Action:
    """go_forward: go to the next page (after go_back)."""
    return Action("go_forward")


def new_tab() -> Action:
    """new_tab: open a new, empty tab."""
    return Action("new_tab")


def tab_focus(index: str) -> Action:
    """tab_focus [i]: switch to the tab with this index (0 is the first)."""
    if not index.strip().isdigit():
        raise ActionError(f"tab_focus: the index must be a number, got [{index}]")
    return Action("tab_focus", (index.strip(),))


def close_tab() -> Action:
    """close_tab: close the current tab."""
    return Action("close_tab")


def noop() -> Action:
    """noop: do nothing this step (let the page settle)."""
    return Action("noop")


def stop(answer: str = "") -> Action:
    """stop [answer]: finish the task; give the answer if the task asks a question, else stop [] or stop [N/A]."""
    return Action("stop", (answer.strip(),))


ACTIONS: dict[str, Callable[..., Action]] = {
    "click": click,
    "type": type_,
    "hover": hover,
    "press": press,
    "scroll": scroll,
    "select": select,
    "goto": goto,
    "go_back": go_back,
    "go_forward": go_forward,
    "new_tab": new_tab,
    "tab_focus": tab_focus,
    "close_tab": close_tab,
    "noop": noop,
    "stop": stop,
}
_ELEMENT_ACTIONS = frozenset({"click", "type", "hover", "select"})
_ARITY = {"click": (1, 1), "type": (2, 3), "hover": (1, 1), "press": (1, 1), "scroll": (1, 1),
          "select": (2, 2), "goto": (1, 1), "go_back": (0, 0), "go_forward": (0, 0), "new_tab": (0, 0),
          "tab_focus": (1, 1), "close_tab": (0, 0), "noop": (0, 0), "stop": (0, 1)}
_ALIASES = {"goback": "go_back", "back": "go_back", "goforward": "go_forward", "forward": "go_forward",
            "fill": "type", "answer": "stop", "finish": "stop", "exit": "stop", "wait": "noop"}


def describe_actions() -> str:
    """The action list for prompts, one action a line, from the docstrings above."""
    return "\n".join(f"- {fn.__doc__}" for fn in ACTIONS.values())


def _id(element: str) -> str:
    element = element.strip()
    if not element or not re.fullmatch(r"[A-Za-z0-9_\-.]+", element):
        raise ActionError(f"element id must be the number in [..] before a node, got [{element}]")
    return element


# --- parsing ------------------------------------------------------------------------------------

_HEAD = re.compile(r"^\s*([A-Za-z_]+)\s*(.*)$", re.S)


def parse_action(text: str) -> Action:
    """Parse one action string (WebArena grammar or WebRL's do()/exit() form).

    Raises ActionError naming what was wrong and what is valid.
    """
    text = text.strip().strip("`").strip()
    if not text:
        raise ActionError("empty action; " + _valid())
    if re.match(r"^(do|exit|go_backward|go_forward)\s*\(", text):
        return _parse_webrl(text)
    m = _HEAD.match(text)
    if not m:
        raise ActionError(f"cannot read an action name in {text[:80]!r}; " + _valid())
    name = m.group(1).lower()
    name = _ALIASES.get(name, name)
    if name not in ACTIONS:
        raise ActionError(f"unknown action {m.group(1)!r}; " + _valid())
    args = _bracket_args(m.group(2), name)
    lo, hi = _ARITY[name]
    if not lo <= len(args) <= hi:
        raise ActionError(f"{name} takes {lo if lo == hi else f'{lo} to {hi}'} argument(s) in [..], got {len(args)}: "
                          + (ACTIONS[name].__doc__ or ""))
    return ACTIONS[name](*args)


def _bracket_args(rest: str, name: str) -> list[str]:
    """Split `[a] [b c] [1]` into arguments; the last argument of type/stop/goto may contain brackets."""
    rest = rest.strip()
    if not rest:
        return []
    if not rest.startswith("["):
        raise ActionError(f"{name}: arguments go in square brackets, e.g. " + (ACTIONS[name].__doc__ or "").split(":")[0])
    if name in ("stop", "goto", "press"):  # one free-text argument: take everything to the last ']'
        end = rest.rfind("]")
        if end < 0:
            raise ActionError(f"{name}: missing closing ']'")
        return [rest[1:end]]
    if name == "type":
        return _type_args(rest)
    args = re.findall(r"\[([^\]]*)\]", rest)
    if not args:
        raise ActionError(f"{name}: missing closing ']'")
    return args


def _type_args(rest: str) -> list[str]:
    """`[id] [text that may hold ] brackets] [0|1]`: split off the id and an optional trailing flag."""
    m = re.match(r"\[([^\]]*)\]\s*\[(.*)\]\s*$", rest, re.S)
    if not m:
        raise ActionError("type: expected type [id] [text] [0|1]")
    element, body = m.group(1), m.group(2)
    flag = re.match(r"^(.*)\]\s*\[(\d)$", body, re.S)
    if flag:  # a trailing one-digit argument is the Enter flag; only 0 and 1 are valid
        return [element, flag.group(1), flag.group(2)]
    return [element, body]


_WEBRL = {
    "click": lambda a: click(a["element"]),
    "right click": lambda a: click(a["element"]),
    "type": lambda a: type_(a["element"], a.get("argument", ""), "0"),
    "search": lambda a: type_(a["element"], a.get("argument", ""), "1"),
    "hover": lambda a: hover(a["element"]),
    "scroll up": lambda a: scroll("up"),
    "scroll down": lambda a: scroll("down"),
    "press enter": lambda a: press("Enter"),
    "press key": lambda a: press(a.get("argument", "")),
    "switch tab": lambda a: tab_focus(a.get("argument", "")),
    "select dropdown option": lambda a: select(a["element"], a.get("argument", "")),
    "wait": lambda a: noop(),
}


def _parse_webrl(text: str) -> Action:
    """WebRL's `do(action="Click", element="12")`, `exit(message="...")`, `go_backward()`."""
    try:
        call = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        raise ActionError(f"cannot parse WebRL call {text[:80]!r}: {e.msg}") from None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ActionError(f"expected do(...), exit(...), go_backward() or go_forward(), got {text[:80]!r}")
    kwargs: dict[str, str] = {}
    for kw in call.keywords:
        if kw.arg is None or not isinstance(kw.value, ast.Constant):
            raise ActionError("WebRL arguments must be keyword=\"literal\"")
        kwargs[kw.arg] = str(kw.value.value)
    fn = call.func.id
    if fn == "exit":
        return stop(kwargs.get("message", ""))
    if fn in ("go_backward", "go_forward"):
        return go_back() if fn == "go_backward" else go_forward()
    kind = kwargs.get("action", "").strip().lower()
    if kind not in _WEBRL:
        raise ActionError(f"unknown WebRL action {kwargs.get('action')!r}; valid: {', '.join(sorted(_WEBRL))}")
    try:
        return _WEBRL[kind](kwargs)
    except KeyError as e:
        raise ActionError(f"WebRL {kind}: missing argument {e.args[0]}=") from None


_FENCE = re.compile(r"```(?:[a-zA-Z]*\n)?(.*?)```", re.S)
_LABEL = re.compile(r"^\s*(?:[-*>]\s*)?(?:(?:next\s+)?action|answer)\s*[:\-]\s*", re.I)
_SUMMARY = re.compile(r"next action I will perform is[:\s]*(.+)", re.I | re.S)


def extract_action(reply: str) -> Action:
    """Find the action in a free-form LLM reply.

    Looks, in order, at: the last ``` fenced block, the text after WebArena's "the next action I will
    perform is", then each line from the last to the first. Raises ActionError with the first
    error when nothing parses.
    """
    candidates: list[str] = []
    fences = _FENCE.findall(reply)
    if fences:
        candidates.append(fences[-1])
    summary = _SUMMARY.search(reply)
    if summary:
        candidates.append(summary.group(1).strip().splitlines()[0] if summary.group(1).strip() else "")
    lines = [_LABEL.sub("", line) for line in reversed(reply.strip().splitlines()) if line.strip()]
    candidates.extend(lines)
    candidates.extend(_embedded(line) for line in lines if _EMBEDDED.search(line))
    first_error: ActionError | None = None
    for cand in candidates:
        try:
            return parse_action(cand)
        except ActionError as e:
            first_error = first_error or e
    raise first_error or ActionError("empty reply; " + _valid())


_EMBEDDED = re.compile(r"\b(?:" + "|".join(ACTIONS) + r")\b")


def _embedded(line: str) -> str:
    """`The next action is to click [12] now.` -> `click [12]`: small models wrap the action in prose."""
    start = _EMBEDDED.search(line)
    rest = line[start.start():] if start else line
    end = rest.rfind("]")
    return rest[: end + 1] if end >= 0 else rest.split()[0]


TEXT_COMMANDS_HELP = (
    "- one command of this world a turn, as plain text, e.g. look around, go to kitchen, open door to kitchen,\n"
    "  pick up thermometer, focus on substance in pot, inventory\n"
    "- stop [answer]: finish the task"
)
"""The action list for suites whose actions are free-form commands (action_grammar `text`)."""


def extract_command(reply: str) -> str:
    """The command in a free-form reply, for `text` suites: the last fenced block, else the last line."""
    fences = _FENCE.findall(reply)
    text = fences[-1] if fences else reply
    lines = [_LABEL.sub("", ln).strip().strip("`").strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines or not lines[-1]:
        raise ActionError("empty reply; give one command, e.g. look around")
    return lines[-1]


def _valid() -> str:
    return "valid actions: " + ", ".join(ACTIONS)
