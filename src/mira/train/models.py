"""Policies and critics: `tiny` (built here, with its own tokenizer), `hf:PATH` / `tiny:PATH` (a folder), `smollm2`.

`tiny` is a LlamaForCausalLM, not Gemma3: on 2 CPU cores a Llama of the same size trains ~1.4x faster
(tiny_feasibility.md: Gemma3 adds norms and mask building) and learns the same.

The critic is a small model of its own (a copy of the policy's backbone at the start of RL, i.e. the SFT
model, as WebRL does) with one MLP head giving two logits: V (success, BCE) and P (progress, MSE). A separate
trunk keeps the critics' regression from pulling on the actor's features, and the actor's reference
(pi_ref) then needs no second copy: it is the actor itself, evaluated before the phase's update.
Only the last `trainable_layers` blocks of the critic's trunk train, which keeps smollm2's critic cheap.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

log = logging.getLogger(__name__)

PAD, BOS, EOS = "<|endoftext|>", "<|im_start|>", "<|im_end|>"
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""ChatML, the same shape as SmolLM2's, so prompts read the same across policies."""


@dataclass(frozen=True)
class TinySpec:
    """Size of the `tiny` policy (defaults: ~1.3M parameters, tiny_feasibility.md's "1M")."""

    vocab_size: int = 2048
    """Byte-level BPE vocabulary trained on the given texts."""
    hidden: int = 128
    """Model width."""
    layers: int = 4
    """Transformer blocks."""
    heads: int = 4
    """Attention heads (2 key/value heads)."""
    max_positions: int = 1024
    """Longest prompt + action in tokens."""


def resolve_device(name: str) -> torch.device:
    """The torch device a config's `device` names; ValueError (what is valid, what torch sees) before any work."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    kind, _, index = name.partition(":")
    if kind not in ("cpu", "cuda") or (index and (kind == "cpu" or not index.isdigit())):
        raise ValueError(f"device {name!r}; valid: cpu, cuda, cuda:N, auto")
    if kind == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if int(index or 0) >= count:
            raise ValueError(f"device {name!r}: torch {torch.__version__} sees {count} CUDA GPU(s) here; "
                             f"valid: cpu, auto{', cuda' if count else ''}")
    return torch.device(name)


def module_device(module: Any) -> torch.device:
    """The device a model's (or module's) parameters live on."""
    return next(module.parameters()).device


def to_device(batch: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """The batch with its tensors on `device` (batches are built on the CPU; other values stay as they are)."""
    return {k: v.to(device, non_blocking=True) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


def train_tokenizer(texts: Iterable[str], vocab_size: int = 2048) -> Any:
    """A byte-level BPE tokenizer trained offline on `texts`, with ChatML special tokens and chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[PAD, BOS, EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(list(texts), trainer=trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token=PAD, eos_token=EOS, bos_token=BOS)
    tok.chat_template = CHAT_TEMPLATE
    return tok


def build_tiny(tokenizer: Any, spec: TinySpec, seed: int = 0) -> Any:
    """A randomly initialised tiny Llama sized by `spec` for `tokenizer`."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=len(tokenizer), hidden_size=spec.hidden, intermediate_size=3 * spec.hidden,
                      num_hidden_layers=spec.layers, num_attention_heads=spec.heads,
                      num_key_value_heads=max(1, spec.heads // 2), max_position_embeddings=spec.max_positions,
                      tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id,
                      eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    return LlamaForCausalLM(cfg)


def resolve_model_path(spec: str) -> Path | None:
    """The folder a model spec names (None for a fresh `tiny`); FileNotFoundError before any work if missing."""
    if spec == "tiny":
        return None
    if spec == "smollm2":
        from mira.llm import smollm2

        if not smollm2.is_prepared():
            raise FileNotFoundError(f"smollm2 is not converted yet (expected {smollm2.model_dir()}); run `make models`")
        return smollm2.model_dir()
    kind, sep, path = spec.partition(":")
    if not sep or kind not in ("hf", "tiny") or not path:
        raise ValueError(f"unknown model spec {spec!r}; valid: tiny, tiny:PATH, hf:PATH, smollm2")
    if not (Path(path) / "config.json").is_file():
        raise FileNotFoundError(f"model folder {path!r} has no config.json (spec {spec!r})")
    return Path(path)


def load_pretrained(path: Path, lora_r: int = 0, gradient_checkpointing: bool = False) -> tuple[Any, Any]:
    """(model, tokenizer) from a folder; with `lora_r` > 0 the model is wrapped in a fresh LoRA adapter.

    `gradient_checkpointing` recomputes each block's activations in backward (only in train mode, as in HF).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    model: Any = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32)
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    if gradient_checkpointing:
        enable_checkpointing(model, lora=lora_r > 0)
    if lora_r > 0:
        from peft import LoraConfig, get_peft_model

        targets = ["q_proj", "k_proj", "v_proj", "o_proj"]
        model = get_peft_model(model, LoraConfig(r=lora_r, lora_alpha=2 * lora_r, target_modules=targets))
    return model, tok


def enable_checkpointing(model: Any, lora: bool = False) -> None:
    """Activation checkpointing on an HF causal LM (non-reentrant). With LoRA the frozen embeddings' output
    gets requires_grad, so the checkpointed blocks still pass gradients to the adapters."""
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    if lora:
        model.enable_input_require_grads()


def save_policy(model: Any, tokenizer: Any, path: Path) -> None:
    """Save a policy as a plain transformers folder (LoRA merged), loadable as `hf:PATH`."""
    base = model.merge_and_unload() if hasattr(model, "merge_and_unload") else model
    base.save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))


def backbone(model: Any) -> nn.Module:
    """The transformer trunk (hidden states out) of a causal LM, through a LoRA wrapper if any."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.model


class Critic(nn.Module):
    """Two critics on one trunk: logits (B, 2) = [V (success), P (progress)] at the state's last token."""

    def __init__(self, policy: Any, trainable_layers: int = 2) -> None:
        super().__init__()
        base = policy.get_base_model() if hasattr(policy, "get_base_model") else policy
        if hasattr(policy, "merge_and_unload"):  # a LoRA policy: copy its merged weights
            base = copy.deepcopy(policy).merge_and_unload()
        self.trunk = copy.deepcopy(base.model)
        hidden = base.config.hidden_size
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 2))
        self.head.to(module_device(self.trunk))  # beside the trunk it copied, CPU or GPU
        self._freeze(trainable_layers)

    def _freeze(self, trainable_layers: int) -> None:
        if trainable_layers < 0:
            return
        for p in self.trunk.parameters():
            p.requires_grad_(False)
        layers = list(getattr(self.trunk, "layers", []))
        for layer in layers[len(layers) - trainable_layers:] if trainable_layers else []:
            for p in layer.parameters():
                p.requires_grad_(True)
        if trainable_layers and hasattr(self.trunk, "norm"):
            for p in self.trunk.norm.parameters():
                p.requires_grad_(True)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        """Left-padded states (B, T) -> logits (B, 2); the last position is each state's last token."""
        h = self.trunk(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids).last_hidden_state
        return self.head(h[:, -1])  # (B, 2)
