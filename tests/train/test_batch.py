from pathlib import Path

import pytest
import torch

from mira.train.batch import Sample, action_logprobs, collate, prompt_ids, trajectory_samples
from mira.train.models import (
    Critic,
    TinySpec,
    build_tiny,
    load_pretrained,
    resolve_model_path,
    save_policy,
    train_tokenizer,
)
from mira.train.policy import PolicyAgent, build_messages
from mira.types import Observation, Step, Trajectory

TEXTS = [f"[{i}] link 'item {i}' click [{i}] stop [done] Goal: open item {i}" for i in range(50)]


@pytest.fixture(scope="module")
def tiny() -> tuple[object, object]:
    tok = train_tokenizer(TEXTS, 300)
    return build_tiny(tok, TinySpec(hidden=32, layers=1, heads=2), seed=0), tok


def test_collate_layout_and_mask() -> None:
    b = collate([Sample([1, 5, 6], [7, 8, 2]), Sample([4], [9, 2])], pad_id=0)
    assert b["input_ids"].tolist() == [[1, 5, 6, 7, 8, 2], [0, 0, 4, 9, 2, 0]]  # (B, P+A): prompts end at one column
    assert b["action_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]  # (B, A): 1 only on the policy's own tokens
    assert b["position_ids"][1].tolist()[2:5] == [0, 1, 2]  # positions restart after left padding


def test_action_logprobs_match_a_full_unpadded_forward(tiny: tuple) -> None:
    model, _ = tiny
    samples = [Sample([11, 12, 13, 14], [20, 21, 22]), Sample([15, 16], [23])]
    got = action_logprobs(model, collate(samples, pad_id=0))  # (B,)
    for i, s in enumerate(samples):
        ids = torch.tensor([s.prompt_ids + s.action_ids])
        logp = model(input_ids=ids).logits[0].log_softmax(-1)  # (T, V)
        p = len(s.prompt_ids)
        want = torch.stack([logp[p - 1 + j, a] for j, a in enumerate(s.action_ids)]).mean()
        assert got[i].item() == pytest.approx(want.item(), abs=1e-4)


def test_chat_template_and_samples(tiny: tuple) -> None:
    model, tok = tiny
    msgs = [{"role": "user", "content": "click [3]"}]
    ids = prompt_ids(tok, msgs, 512)
    assert tok.decode(ids).endswith("<|im_start|>assistant\n")
    assert len(prompt_ids(tok, msgs, 4)) == 4  # long prompts keep their tail
    steps = [Step(action="click [3]", reply="click [3]", messages=msgs, info={"action_ids": [5, 6, 2]}),
             Step(action="", reply=""),  # nothing to learn from
             Step(action="stop [done]", reply="stop [done]", messages=msgs)]
    samples = trajectory_samples(Trajectory("t/1", steps=steps, success=True), tok, index=3)
    assert [s.step for s in samples] == [0, 2] and samples[0].action_ids == [5, 6, 2]
    assert samples[1].action_ids[-1] == tok.eos_token_id and samples[1].success == 1.0 and samples[1].traj == 3


def test_policy_agent_records_tokens_and_logprobs(tiny: tuple) -> None:
    model, tok = tiny
    agent = PolicyAgent(model, tok, temperature=1.0, max_new_tokens=5)
    traj = Trajectory("t/1", goal="open item 3", progress=[False])
    step = agent.act(Observation(text="[3] link 'item 3'", goal="open item 3"), traj)
    assert 1 <= len(step.info["action_ids"]) <= 5 and len(step.info["logprobs"]) == len(step.info["action_ids"])
    assert all(lp <= 0 for lp in step.info["logprobs"]) and step.messages and step.progress == [False]
    assert "Goal: open item 3" in build_messages(Observation(text="x", goal="open item 3"), traj)[1]["content"]


def test_save_load_roundtrip_and_critic(tiny: tuple, tmp_path: Path) -> None:
    model, tok = tiny
    save_policy(model, tok, tmp_path / "p")
    assert resolve_model_path(f"tiny:{tmp_path / 'p'}") == tmp_path / "p"
    loaded, tok2 = load_pretrained(tmp_path / "p", lora_r=4)
    b = collate([Sample([11, 12], [20, 2])], pad_id=0)
    assert action_logprobs(loaded, b).item() == pytest.approx(action_logprobs(model, b).item(), abs=1e-5)  # LoRA starts at 0
    assert sum(p.numel() for p in loaded.parameters() if p.requires_grad) < sum(p.numel() for p in model.parameters())
    critic = Critic(model, trainable_layers=0)
    assert all(not p.requires_grad for p in critic.trunk.parameters())
    assert critic(b["input_ids"][:, :2], b["attention_mask"][:, :2], b["position_ids"][:, :2]).shape == (1, 2)


def test_model_spec_errors() -> None:
    with pytest.raises(ValueError, match="valid: tiny"):
        resolve_model_path("gpt:foo")
    with pytest.raises(FileNotFoundError, match="config.json"):
        resolve_model_path("hf:/no/such/dir")
    assert resolve_model_path("tiny") is None
