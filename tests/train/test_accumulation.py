"""Gradient accumulation (update.accumulate_step / optimise micro_batch) and the memory settings of TrainConfig."""

from collections.abc import Iterator

import pytest
import torch

from mira.train.algorithms import get_algorithm
from mira.train.batch import Sample, action_logprobs, collate
from mira.train.config import TrainConfig, make_config
from mira.train.losses import LossSettings, regression_loss
from mira.train.models import TinySpec, build_tiny, enable_checkpointing, train_tokenizer
from mira.train.update import LossExploded, actor_update, actor_weight, optimise, trainable


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Many tiny forward/backward passes: one thread avoids OpenMP barriers that crawl on a busy machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def tok() -> object:
    return train_tokenizer([f"click [{i}] stop [done] type [{i}] [q]" for i in range(30)], 280)


def samples() -> list[Sample]:
    """Ragged prompts and actions (padding differs per micro-batch), mixed advantages, one zero-weight sample."""
    g = torch.Generator().manual_seed(1)
    out = []
    for i in range(6):
        p, a = torch.randint(10, 250, (3 + i,), generator=g), torch.randint(10, 250, (1 + i % 3,), generator=g)
        out.append(Sample(p.tolist(), a.tolist(), advantage=(-1.0) ** i * (0.5 + i / 10), ref_logp=-5.0,
                          weight=0.0 if i == 4 else 1.0))
    return out


def updated(tok: object, micro: int, weight_fn: object = actor_weight, ckpt: bool = False) -> dict[str, torch.Tensor]:
    """The tiny policy's weights after two optimiser steps of 6 samples (regression loss), in float64."""
    model = build_tiny(tok, TinySpec(hidden=32, layers=2, heads=2), seed=0).double()
    if ckpt:
        enable_checkpointing(model)
        model.train()
    pad = tok.pad_token_id  # type: ignore[attr-defined]

    def loss_fn(chunk: list[Sample]) -> torch.Tensor:
        logp = action_logprobs(model, collate(chunk, pad))
        t = {k: torch.tensor([getattr(s, k) for s in chunk], dtype=torch.float64) for k in ("ref_logp", "advantage", "weight")}
        return regression_loss(logp, t["ref_logp"], t["advantage"], t["weight"], LossSettings())

    data = samples()
    optimise(trainable(model), [data, data[::-1]], loss_fn, 1e-2, 1e9, 1e9, micro, weight_fn)  # type: ignore[arg-type]
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.fixture(scope="module")
def full(tok: object) -> dict[str, torch.Tensor]:
    return updated(tok, 0)


@pytest.mark.parametrize("micro", [1, 4])  # 4: uneven micro-batches (4 + 2)
def test_micro_batches_give_the_full_batch_update(tok: object, full: dict[str, torch.Tensor], micro: int) -> None:
    acc = updated(tok, micro)
    for k, v in full.items():
        torch.testing.assert_close(acc[k], v, rtol=1e-9, atol=1e-11, msg=k)


def test_plain_sample_count_misweights_the_weighted_mean(tok: object, full: dict[str, torch.Tensor]) -> None:
    """The check has teeth: scaling by sample counts is wrong when a zero-weight sample sits in a micro-batch."""
    acc = updated(tok, 2, weight_fn=len)
    emb = "model.embed_tokens.weight"
    assert not torch.allclose(acc[emb], full[emb], rtol=1e-6, atol=1e-9)


def test_checkpointing_gives_the_same_update(tok: object, full: dict[str, torch.Tensor]) -> None:
    ckpt = updated(tok, 3, ckpt=True)
    for k, v in full.items():
        torch.testing.assert_close(ckpt[k], v, rtol=1e-9, atol=1e-11, msg=k)


def test_actor_update_reads_micro_batch_size_and_still_stops_on_a_bad_loss(tok: object) -> None:
    model = build_tiny(tok, TinySpec(hidden=32, layers=1, heads=2))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    bad = [Sample([11, 12], [20], advantage=1e6), Sample([11], [21], advantage=0.0)]
    cfg = TrainConfig(max_loss=1e3, batch_size=2, micro_batch_size=1)
    with pytest.raises(LossExploded, match=r"limit 1000.0\) at minibatch 1/1"):
        actor_update(model, bad, get_algorithm("webrl"), tok.pad_token_id, cfg, torch.Generator())  # type: ignore[attr-defined]
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())


def test_negative_micro_batch_is_refused(tok: object) -> None:
    model = build_tiny(tok, TinySpec(hidden=32, layers=1, heads=2))
    with pytest.raises(ValueError, match="micro_batch must be >= 0"):
        optimise(trainable(model), [samples()], lambda c: torch.zeros(()), 1e-3, 1.0, 1e3, -1)


def test_config_fields_are_typed() -> None:
    cfg = make_config({"micro_batch_size": "4", "gradient_checkpointing": "true"})
    assert cfg.micro_batch_size == 4 and cfg.gradient_checkpointing is True
    assert TrainConfig().micro_batch_size == 0 and TrainConfig().gradient_checkpointing is False
    with pytest.raises(ValueError, match="config key 'micro_batch_size' expects int"):
        make_config({"micro_batch_size": "two"})
    with pytest.raises(ValueError, match="config key 'gradient_checkpointing' expects bool"):
        make_config({"gradient_checkpointing": "sometimes"})
