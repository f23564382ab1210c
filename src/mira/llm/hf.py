"""`hf:PATH`: a local transformers causal LM with its chat template; greedy or sampled.

Each Completion carries the reply's token ids and per-token log-probs under the model's own
distribution (temperature 1, no top-p), which is what the trainer's importance ratios need.
Weights are loaded once per (path, dtype) and shared by every HFLLM on them (actor and checker).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from mira.types import Completion, Message

log = logging.getLogger(__name__)

_LOADED: dict[tuple[str, str], tuple[Any, Any]] = {}


@dataclass(frozen=True)
class HFConfig:
    """Generation settings of a local model."""

    max_new_tokens: int = 256
    """Cap on the reply's tokens (a `max_tokens` sampling argument overrides it per call)."""
    temperature: float = 0.0
    """0 decodes greedily; above 0 samples."""
    top_p: float = 1.0
    """Nucleus sampling mass when sampling."""
    dtype: str = "float32"
    """Weights' dtype in memory: float32 (fastest on CPU), bfloat16, float16."""
    device: str = "cpu"
    """Torch device, e.g. cpu or cuda."""
    threads: int = 0
    """If > 0, torch.set_num_threads(threads) (process-wide) before generating: on a busy shared CPU,
    1 thread avoids OpenMP spin-waiting (measured 5x less CPU per call under load); 0 leaves torch's default."""


def load(path: str, dtype: str = "float32", device: str = "cpu") -> tuple[Any, Any]:
    """(model, tokenizer) for a folder, loaded once per process."""
    key = (path, f"{dtype}@{device}")
    if key not in _LOADED:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a bar per load would flood eval and demo output
        t0 = time.perf_counter()
        tok = AutoTokenizer.from_pretrained(path)
        model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype))
        model = model.to(device).eval()
        _LOADED[key] = (model, tok)
        log.info("loaded %s in %.1f s", path, time.perf_counter() - t0)
    return _LOADED[key]


class HFLLM:
    """A transformers causal LM behind `complete(messages)`."""

    def __init__(self, path: str, name: str | None = None, config: HFConfig | None = None, **options: Any) -> None:
        self.path = path
        self.name = name or f"hf:{path}"
        self.config = replace(config or HFConfig(), **options)
        self.model, self.tokenizer = load(path, self.config.dtype, self.config.device)

    def prompt_ids(self, messages: list[Message]) -> list[int]:
        """The chat template applied to the messages, ending with the assistant's header."""
        enc = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        ids = enc["input_ids"] if hasattr(enc, "keys") else enc  # transformers 5 returns a BatchEncoding
        return list(ids)

    def complete(self, messages: list[Message], **sampling: Any) -> Completion:
        import torch

        t0 = time.perf_counter()
        cfg = self.config
        if cfg.threads > 0 and torch.get_num_threads() != cfg.threads:
            torch.set_num_threads(cfg.threads)
        temperature = float(sampling.get("temperature", cfg.temperature))
        max_new = int(sampling.get("max_tokens", cfg.max_new_tokens))
        prompt = self.prompt_ids(messages)
        limit = getattr(self.model.config, "max_position_embeddings", 0)
        if limit and len(prompt) + max_new > limit:
            log.warning("%s: prompt of %d tokens + %d new exceeds the model's %d positions", self.name,
                        len(prompt), max_new, limit)
        if "seed" in sampling and sampling["seed"] is not None:
            torch.manual_seed(int(sampling["seed"]))
        gen_args: dict[str, Any] = {"max_new_tokens": max_new, "do_sample": temperature > 0,
                                    "return_dict_in_generate": True, "output_logits": True,
                                    "pad_token_id": _pad_id(self.tokenizer)}
        if temperature > 0:
            gen_args.update(temperature=temperature, top_p=float(sampling.get("top_p", cfg.top_p)))
        else:  # greedy: no sampling knobs, so generate does not warn about them
            gen_args.update(temperature=None, top_p=None, top_k=None)
        input_ids = torch.tensor([prompt], device=cfg.device)  # (1, T)
        with torch.no_grad():
            out = self.model.generate(input_ids, attention_mask=torch.ones_like(input_ids), **gen_args)
        new = out.sequences[0, len(prompt):]  # (N,)
        logits = torch.stack(out.logits, dim=1)[0].float()  # (N, V): raw, before temperature/top-p
        logprobs = torch.log_softmax(logits, dim=-1).gather(1, new[:, None])[:, 0]  # (N,)
        ids = new.tolist()
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        for s in sampling.get("stop") or []:
            text = text.split(s, 1)[0]
        return Completion(text=text.strip(), prompt_tokens=len(prompt), completion_tokens=len(ids),
                          latency_s=round(time.perf_counter() - t0, 4), token_ids=tuple(ids),
                          logprobs=tuple(round(x, 6) for x in logprobs.tolist()))


def _pad_id(tok: Any) -> int:
    return int(tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id)


def make(arg: str, **options: Any) -> HFLLM:
    return HFLLM(arg, **options)
