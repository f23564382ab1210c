"""BrowserGym adapter: action translation, the task list, and MiniWoB click-test solved in real Chromium."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mira.env import get_suite, make_env
from mira.env.actions import parse_action
from mira.env.browsergym import BrowserGymEnv, to_browsergym

SUITE = get_suite("browsergym")
needs_bg = pytest.mark.skipif(not SUITE.availability().ok, reason=SUITE.availability().reason)


@pytest.mark.parametrize(("action", "code"), [
    ("click [13]", "click('13')"),
    ("type [5] [blue mat] [1]", "fill('5', 'blue mat')\npress('5', 'Enter')"),
    ("type [5] [it's]", "fill('5', \"it's\")\npress('5', 'Enter')"),
    ("type [5] [x] [0]", "fill('5', 'x')"),
    ("hover [a7]", "hover('a7')"),
    ("press [Control+a]", "keyboard_press('Control+a')"),
    ("scroll [down]", "scroll(0, 300)"),
    ("scroll [up]", "scroll(0, -300)"),
    ("select [9] [Red]", "select_option('9', 'Red')"),
    ("goto [http://127.0.0.1:1/]", "goto('http://127.0.0.1:1/')"),
    ("go_back", "go_back()"),
    ("go_forward", "go_forward()"),
    ("new_tab", "new_tab()"),
    ("tab_focus [1]", "tab_focus(1)"),
    ("close_tab", "tab_close()"),
    ("noop", "noop(0)"),
    ("stop [42]", "send_msg_to_user('42')"),
    ("stop", "send_msg_to_user('')"),
])
def test_translation_to_browsergym_actions(action: str, code: str) -> None:
    assert to_browsergym(parse_action(action)) == code


@needs_bg
def test_task_ids_list_miniwob_from_browsergyms_registry() -> None:
    ids = SUITE.task_ids()
    assert "miniwob.click-test" in ids and "miniwob.search-engine" in ids
    assert len([i for i in ids if i.startswith("miniwob.")]) >= 125
    assert SUITE.load_task("miniwob.click-test").id == "browsergym/miniwob.click-test"
    with pytest.raises(KeyError, match="unknown browsergym task"):
        SUITE.load_task("miniwob.no-such-task")
    with pytest.raises(KeyError, match="browsergym-nosuchbench is not installed"):
        SUITE.load_task("nosuchbench.x")
    with pytest.raises(ValueError, match="valid: max_chars"):
        SUITE.make_env("miniwob.click-test", headless=False)


def _chromium_descendants() -> set[int]:
    """Chromium processes started (transitively) by this test process."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - mine
        mine |= frontier
    out = set()
    for p in mine:
        try:
            if "chromium" in Path(f"/proc/{p}/cmdline").read_text():
                out.add(p)
        except OSError:
            continue
    return out


def _alive(pids: set[int]) -> set[int]:
    """The pids still running (zombies, already exited, do not count)."""
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.add(p)
    return alive


@needs_bg
@pytest.mark.browser
def test_click_test_solved_with_reward_1_and_no_chromium_left() -> None:
    env = make_env("browsergym/miniwob.click-test", pre_observation_delay=0.0, slow_mo=0)
    assert isinstance(env, BrowserGymEnv)
    with env:
        obs = env.reset(seed=0)
        assert obs.goal == "Click the button." and obs.url.endswith("click-test.html")
        started = _chromium_descendants()
        assert started, "BrowserGym should run Chromium under this process"
        bad = env.step("click [9999]")
        assert bad.obs.error and bad.reward == 0.0 and not bad.terminated
        assert env.step("clik [1]").obs.error.startswith("unknown action")
        button = next(line for line in obs.text.splitlines() if "button 'Click Me!'" in line)
        res = env.step(f"click [{button.split('[')[1].split(']')[0]}]")
        assert res.reward == 1.0 and res.terminated and res.info["success"]
        assert env.step("noop").obs.error.startswith("the episode is over")
    deadline = time.time() + 10
    while _alive(started) and time.time() < deadline:
        time.sleep(0.2)
    assert not _alive(started), "Chromium processes left after close()"

