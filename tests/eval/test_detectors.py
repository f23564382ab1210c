"""Failure detectors and labels on synthetic trajectories (tables of cases), the LLM analyzer, the heatmap."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from synth import traj

from mira.eval.analysis import EpisodeLabel, first_reached, milestone_heatmap, parse_verdict, refine
from mira.eval.detectors import DETECTORS, LABELS, classify, longest_repeat, off_track_step, run_detectors
from mira.llm.scripted import ScriptedLLM

LOOP = ["click [1]", "click [2]"] + ["click [5]", "go_back"] * 6
CASES = [
    # name, trajectory, expected label, detectors that must fire
    ("loop of two actions", traj(LOOP, urls=["u0", "u1"] + ["u2", "u3"] * 6, reached=[0, 1] + [1] * 12),
     "stuck_midway", {"repeated_actions", "revisited_pages", "no_milestone_progress", "step_limit"}),
    ("same click again and again", traj(["click [3]"] * 6, urls=["u"] * 6, exit_reason="max_steps"),
     "stuck_midway", {"repeated_actions", "step_limit"}),
    ("hung episode", traj(["click [1]", "type [2] [x] [1]"], exit_reason="timeout"), "stuck_midway", {"step_limit"}),
    ("stopped on the wrong page", traj(["click [1]", "click [2]", "click [3]", "stop []"], reached=[0, 1, 1, 2],
                                       exit_reason="stop"), "wrong_termination", {"stopped_wrong"}),
    ("wrong answer", traj(["click [1]", "click [4]", "stop [17]"], reached=[0, 1, 2], final=4, exit_reason="stop",
                          answer="17"), "wrong_termination", {"stopped_wrong"}),
    ("gave up at once", traj(["stop [N/A]"], exit_reason="stop"), "no_reasonable_attempt", {"gave_up_early"}),
    ("only scrolls", traj(["scroll [down]", "scroll [up]", "noop"] * 2, urls=["a", "a", "a"] * 2),
     "no_reasonable_attempt", {"no_meaningful_action"}),
    ("parse failures", traj(["click [1]", "", "", "", "", ""], exit_reason="parse_error"),
     "no_reasonable_attempt", {"parse_failures"}),
    ("every action failed", traj(["click [9]", "click [8]", "type [7] [a] [1]"], errors=["no element 9", "no 8", "no 7"]),
     "no_reasonable_attempt", {"all_actions_failed"}),
    ("env crashed", traj(["click [1]", "click [2]"], exit_reason="error:TargetClosedError"), "others", {"episode_error"}),
    ("short truncated run, no pattern", traj(["click [1]", "type [2] [a] [1]"], reached=[0, 1], exit_reason="env_done"),
     "others", set()),
]


@pytest.mark.parametrize(("name", "t", "label", "must_fire"), CASES, ids=[c[0] for c in CASES])
def test_labels(name: str, t: object, label: str, must_fire: set[str]) -> None:
    got, evidence, names = classify(t)  # type: ignore[arg-type]
    assert got == label, (name, names, evidence)
    assert must_fire <= set(run_detectors(t)), run_detectors(t)  # type: ignore[arg-type]
    assert evidence and all(isinstance(e, str) and e for e in evidence)


def test_every_detector_is_registered_with_a_known_group() -> None:
    assert set(DETECTORS) >= {"repeated_actions", "revisited_pages", "no_milestone_progress", "step_limit",
                              "stopped_wrong", "gave_up_early", "no_meaningful_action", "parse_failures", "episode_error"}
    assert {g for g, _ in DETECTORS.values()} <= {*LABELS, "others_error"}


def test_evidence_names_the_repeated_action() -> None:
    _, evidence, _ = classify(traj(["click [3]"] * 6, urls=["u"] * 6))
    assert any("'click [3]'" in e and "6 times" in e for e in evidence)


@pytest.mark.parametrize(("keys", "expected"), [
    (list("abcd"), (1, 1, 0)), (list("aaab"), (3, 1, 0)), (list("xababab"), (3, 2, 1)),
    (list("abcabcabcz"), (3, 3, 0)), (list("aaaa"), (4, 1, 0)),
])
def test_longest_repeat(keys: list[str], expected: tuple[int, int, int]) -> None:
    assert longest_repeat(keys) == expected


def test_off_track_step() -> None:
    stuck = traj(["click [1]", "click [2]", "click [3]"] + ["click [9]"] * 5, urls=["a", "b", "c"] + ["d"] * 5,
                 reached=[0, 1, 2] + [2] * 5)
    assert off_track_step(stuck, "stuck_midway") == 2  # after the last milestone gain, the loop starts
    assert off_track_step(traj(["stop []"]), "no_reasonable_attempt") == 0
    wrong = traj(["click [1]", "click [2]", "click [3]", "stop []"], reached=[0, 1, 1, 1], exit_reason="stop")
    assert off_track_step(wrong, "wrong_termination") == 1


def test_llm_analyzer_refines_label_and_step() -> None:
    t = traj(["click [1]", "click [2]", "stop []"], reached=[0, 1, 1], exit_reason="stop")
    lab = EpisodeLabel("t", 0, *classify(t)[:2], off_track_step(t, "wrong_termination"))
    llm = ScriptedLLM(['Thinking... {"label": "stuck_midway", "off_track_step": 1, "reason": "looped on the cart"}'])
    ref = traj(["click [1]", "click [6]", "stop []"], reached=[0, 1, 2], final=4, exit_reason="stop", success=True)
    refine(llm, t, lab, ref)
    assert "successful episode of the same task" in llm.calls[0][0]["content"] and "click [6]" in llm.calls[0][0]["content"]
    assert (lab.label, lab.off_track_step, lab.source) == ("stuck_midway", 1, "llm")
    assert any("relabelled wrong_termination -> stuck_midway" in e for e in lab.evidence)
    prompt = llm.calls[0][0]["content"]
    assert "do the thing" in prompt and "stopped_wrong" not in prompt and "wrong_termination" in prompt


@pytest.mark.parametrize("reply", ["no json here", '{"label": "confused"}', "{broken"])
def test_llm_analyzer_unusable_reply_keeps_detector_label(reply: str) -> None:
    t = traj(["stop []"], exit_reason="stop")
    lab = EpisodeLabel("t", 0, "no_reasonable_attempt", ["x"], 0)
    refine(ScriptedLLM([reply]), t, lab)
    assert lab.label == "no_reasonable_attempt" and lab.source == "detectors"
    assert "unusable" in lab.evidence[-1]


def test_parse_verdict_drops_out_of_range_step() -> None:
    assert parse_verdict('{"label": "others", "off_track_step": 99}', 5) == ("others", None, "")


def test_heatmap_fractions() -> None:
    a = traj(["c"] * 4, reached=[0, 1, 2, 2], final=3, k=3)  # m1 after 1 action, m2 after 2, m3 after 4
    b = traj(["c"] * 2, reached=[0, 0], final=1, k=2)  # m1 after 2 actions, then the episode ends
    assert first_reached(a) == [1, 2, 4] and first_reached(b) == [2, None]
    grid = milestone_heatmap([a, b], max_steps=4)
    assert grid[0] == [0.5, 1.0, 1.0, 1.0]
    assert grid[1] == [0.0, 0.5, 0.5, 0.5]
    assert grid[2] == [0.0, 0.0, 0.0, 1.0]  # only `a` has a third milestone
    assert milestone_heatmap([traj(["c"], k=0)]) == []
