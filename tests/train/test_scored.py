"""The scored policy: packed candidate trees score exactly like separate sequences; pi is a distribution."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from mira.agent import make_agent
from mira.env.actions import parse_action
from mira.train.batch import action_logprobs, collate, trajectory_samples
from mira.train.models import TinySpec, build_tiny, save_policy, train_tokenizer
from mira.train.scored import (
    ScoredAgent,
    ScoredTeacher,
    Tree,
    collate_trees,
    group_scores,
    length_buckets,
    predicting_states,
    tree_logprobs,
)
from mira.types import Observation, Step, Task, Trajectory

from .test_candidates import PAGE


@pytest.fixture(scope="module")
def lm() -> tuple[object, object]:
    texts = [PAGE, "click link type textbox select combobox stop go back +enter Goal: URL: Previous: none"] * 5
    tok = train_tokenizer(texts, 400)
    return build_tiny(tok, TinySpec(vocab_size=400, hidden=32, layers=2), seed=0).eval(), tok


def _ids(tok: object, text: str) -> list[int]:
    return list(tok(text, add_special_tokens=False)["input_ids"])  # type: ignore[operator]


def _mean_logp(model: object, prefix: list[int], cont: list[int]) -> float:
    lp = torch.log_softmax(model(torch.tensor([prefix + cont])).logits[0].float(), -1)  # type: ignore[operator]
    return sum(lp[len(prefix) - 1 + j, t].item() for j, t in enumerate(cont)) / len(cont)


def test_packed_tree_scores_equal_one_sequence_per_candidate(lm: tuple[object, object]) -> None:
    model, tok = lm
    eos = tok.eos_token_id  # type: ignore[attr-defined]
    prompt = _ids(tok, "Goal: find the Blue Mat")
    heads = [_ids(tok, "click link 'My Cart'") + [eos], _ids(tok, "type textbox 'Search'"), _ids(tok, "stop") + [eos]]
    tails = [_ids(tok, " [Blue Mat]") + [eos], _ids(tok, " [mat]") + [eos]]
    batch = collate_trees([Tree(prompt, heads, 1, tails, 0), Tree(prompt[:2], heads[:2], 0, [])], tok.pad_token_id)  # type: ignore[attr-defined]
    with torch.no_grad():
        got = group_scores(model, batch)
    want = [_mean_logp(model, prompt, h) for h in heads] + [_mean_logp(model, prompt + heads[1], t) for t in tails]
    assert got[0].tolist() == pytest.approx(want, abs=1e-4)
    assert got[1].tolist() == pytest.approx([_mean_logp(model, prompt[:2], h) for h in heads[:2]], abs=1e-4)


def test_length_buckets_group_rows_of_similar_length() -> None:
    assert length_buckets([5, 9, 1, 7, 3], 2) == [[1, 3], [0, 4], [2]]
    assert length_buckets([4, 4], 8) == [[0, 1]]


def test_bucketed_rows_give_the_states_of_one_padded_batch(lm: tuple[object, object]) -> None:
    model, tok = lm
    heads = [_ids(tok, "click link 'My Cart'"), _ids(tok, "stop"), _ids(tok, "type textbox 'Search' +enter")]
    trees = [Tree(_ids(tok, "Goal: " + "find the Blue Mat " * k), heads[:1 + k % 3], 0, []) for k in range(1, 7)]
    batch = collate_trees(trees, tok.pad_token_id)  # type: ignore[attr-defined]
    assert len(set(batch["lengths"])) > 3  # rows of mixed lengths
    with torch.no_grad():
        one = predicting_states(model.model, batch, rows=len(trees))  # type: ignore[attr-defined]
        bucketed = predicting_states(model.model, batch, rows=2)  # type: ignore[attr-defined]
    assert torch.allclose(one, bucketed, atol=1e-5)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_scores_on_the_gpu_equal_the_cpus(lm: tuple[object, object]) -> None:
    model, tok = lm
    heads = [_ids(tok, "click link 'My Cart'"), _ids(tok, "stop"), _ids(tok, "type textbox 'Search' +enter")]
    trees = [Tree(_ids(tok, "Goal: " + "find the Blue Mat " * k), heads[:1 + k % 3], 0, []) for k in range(1, 7)]
    batch = collate_trees(trees, tok.pad_token_id)  # type: ignore[attr-defined]
    with torch.no_grad():
        cpu = group_scores(model, batch)
        gpu = group_scores(copy.deepcopy(model).cuda(), batch)  # type: ignore[attr-defined]
    assert all(g.is_cuda and torch.allclose(c, g.cpu(), atol=1e-4) for c, g in zip(cpu, gpu, strict=True))


def test_pi_is_a_distribution_over_heads_and_tails(lm: tuple[object, object]) -> None:
    model, tok = lm
    eos = tok.eos_token_id  # type: ignore[attr-defined]
    prompt = _ids(tok, "Goal: x")
    heads = [_ids(tok, "click link 'My Cart'") + [eos], _ids(tok, "type textbox 'Search'")]
    tails = [_ids(tok, " [a]") + [eos], _ids(tok, " [b c]") + [eos]]
    trees = [Tree(prompt, heads, 0, [])] + [Tree(prompt, heads, 1, tails, j) for j in range(2)]
    with torch.no_grad():
        lp = tree_logprobs(model, collate_trees(trees, tok.pad_token_id))  # type: ignore[attr-defined]
    assert sum(math.exp(x) for x in lp.tolist()) == pytest.approx(1.0, abs=1e-5)


def _episode(agent: object, goal: str = "Find the Blue Mat") -> Trajectory:
    traj = Trajectory(task_id="t", goal=goal)
    obs = Observation(text=PAGE, url="http://127.0.0.1:5/shop/?q=mat", goal=goal)
    agent.start(Task(id="t", goal=goal), obs, traj)  # type: ignore[attr-defined]
    for _ in range(2):
        traj.steps.append(agent.act(obs, traj))  # type: ignore[attr-defined]
    return traj


def test_agent_acts_only_with_valid_actions_and_records_its_choice(lm: tuple[object, object]) -> None:
    model, tok = lm
    traj = _episode(ScoredAgent(model, tok, temperature=1.0, seed=3))
    for step in traj.steps:
        parse_action(step.action)  # a valid WebArena action, always
        rec = step.info["scored"]
        assert 0 <= rec["head"] < len(rec["heads"]) and step.reply.startswith(rec["heads"][rec["head"]][0])
    assert "127.0.0.1" not in traj.steps[1].messages[1]["content"]  # the port changes between runs
    assert traj.steps[0].reply in traj.steps[1].messages[1]["content"]  # history in words
    samples = trajectory_samples(traj, tok, 0, 128)
    assert len(samples) == 2 and all(s.tree is not None for s in samples)
    lp = action_logprobs(model, collate(samples, tok.pad_token_id))  # type: ignore[attr-defined]
    assert lp.shape == (2,) and bool((lp <= 0).all())


class _Fixed:
    def __init__(self, actions: list[str]) -> None:
        self.actions = actions

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        return None

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        return Step(action=self.actions.pop(0))


def test_teacher_records_located_actions_and_skips_the_rest(lm: tuple[object, object]) -> None:
    _, tok = lm
    traj = _episode(ScoredTeacher(_Fixed(["type [5] [Blue Mat] [1]", "goto [http://x]"])))
    first, second = traj.steps
    assert first.reply == "type textbox 'Search' +enter [Blue Mat]" and "scored" in first.info
    assert "scored" not in second.info
    samples = trajectory_samples(traj, tok, 0, 128)
    assert [s.step for s in samples] == [0] and samples[0].tree.tail >= 0


def test_saved_policy_is_the_scored_agent_of_mira_eval(lm: tuple[object, object], tmp_path: object) -> None:
    model, tok = lm
    save_policy(model, tok, tmp_path / "p")  # type: ignore[operator]
    agent = make_agent("scored", llm=f"tiny:{tmp_path}/p")
    greedy = [s.action for s in _episode(agent).steps]
    assert greedy == [s.action for s in _episode(ScoredAgent(model, tok, temperature=0.0)).steps]
    with pytest.raises(FileNotFoundError, match="config.json"):
        make_agent("scored", llm=f"tiny:{tmp_path}/missing")
