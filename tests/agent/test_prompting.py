import jinja2
import pytest

from mira.agent.acting import system_prompt
from mira.agent.checker import parse_answers
from mira.agent.planner import parse_items, parse_reflection
from mira.agent.prompting import PROMPTS, clip, render, template_hash

PAGE = {"goal": "G", "history": ["1. click [1]"], "url": "http://x/", "observation": "[1] link 'A'", "error": "boom"}


def test_every_template_renders():
    rendered = {
        "system": render("system", actions="- click [id]: click", sgo=True, web=True),
        "act_plain": render("act_plain", **PAGE),
        "act_sgo": render("act_sgo", **PAGE, checklist=[{"text": "A", "done": True}, {"text": "B", "done": False}],
                          current="B", next="", reflection=""),
        "plan": render("plan", k=4, goal="G", start="page"),
        "check": render("check", goal="G", pending=[(2, "B")], history=[], url="", observation="p"),
        "reflect": render("reflect", loop=True, goal="G", done=["A"], pending=["B"], history=["1. x"], url="u",
                          observation="p", k=3),
        "parse_retry": render("parse_retry", error="unknown action 'foo'"),
    }
    assert {p.stem for p in PROMPTS.glob("*.j2") if not p.stem.startswith("_")} == set(rendered)
    assert "checklist" in rendered["system"] and "- click [id]: click" in rendered["system"]
    assert "THE LAST ACTION FAILED: boom" in rendered["act_plain"]
    assert "[x] 1. A\n[ ] 2. B" in rendered["act_sgo"] and "THEN:" not in rendered["act_sgo"]
    assert "2. B" in rendered["check"] and "(none)" in rendered["check"]
    assert "stuck in a loop" in rendered["reflect"] and "- A" in rendered["reflect"]


def test_missing_variable_raises():
    with pytest.raises(jinja2.UndefinedError):
        render("act_plain", goal="G")


def test_system_prompt_lists_every_action():
    text = system_prompt(sgo=False)
    assert "stop [answer]" in text and "go_back" in text and "checklist" not in text


def test_parsers():
    assert parse_items("Plan:\n1. Open A\n2) Search B\n- Stop\n3.\nnote") == ["Open A", "Search B", "Stop"]
    assert parse_reflection("REFLECTION: I looped.\nTry search.\nPLAN:\n1. X\n2. Y") == ("I looped. Try search.", ["X", "Y"])
    assert parse_reflection("just text") == ("", [])
    assert parse_answers("1: yes\n2: No\nMilestone 3 - **done**\n4. not yet") == {1: True, 2: False, 3: True, 4: False}


def test_clip_and_hash():
    assert clip("abcdef", 3) == "abc\n... (3 more characters cut)" and clip("ab", 3) == "ab"
    assert len(template_hash("plan")) == 12 and template_hash("plan") != template_hash("check")
