"""Devices: names are checked before any work; batches follow the model onto its device."""

from __future__ import annotations

import pytest
import torch

from mira.train.models import resolve_device, to_device


def test_device_names_resolve_or_say_what_is_valid() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    for bad in ("tpu", "cpu:1", "cuda:x", "gpu"):
        with pytest.raises(ValueError, match=r"valid: cpu, cuda, cuda:N, auto"):
            resolve_device(bad)
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    with pytest.raises(ValueError, match=rf"device 'cuda:{count}': torch .* sees {count} CUDA GPU"):
        resolve_device(f"cuda:{count}")


def test_to_device_moves_tensors_and_keeps_the_rest() -> None:
    batch = {"ids": torch.ones(2, 3), "lengths": [3, 2]}
    moved = to_device(batch, torch.device("cpu"))
    assert torch.equal(moved["ids"], batch["ids"]) and moved["lengths"] is batch["lengths"]
