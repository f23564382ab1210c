"""LLM backends behind one `complete(messages) -> Completion`; a spec string picks one.

Specs: `openai:MODEL[@BASE_URL]`, `gemini:MODEL`, `hf:PATH`, `tiny:PATH` (a checkpoint mira's trainer
wrote: a transformers folder, so the same backend as hf), `smollm2`, `scripted:FILE`.
Backends are registered by name with a dotted path to a factory, imported only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

from mira.types import LLM

__all__ = ["BACKENDS", "make_llm", "split_spec"]

BACKENDS: dict[str, str] = {
    "openai": "mira.llm.openai_http:make",
    "gemini": "mira.llm.gemini:make",
    "hf": "mira.llm.hf:make",
    "tiny": "mira.llm.hf:make",
    "smollm2": "mira.llm.smollm2:make",
    "scripted": "mira.llm.scripted:make",
}
_NO_ARG = frozenset({"smollm2"})


def split_spec(spec: str) -> tuple[str, str]:
    """`openai:gpt-4o@http://h/v1` -> ("openai", "gpt-4o@http://h/v1"); ValueError naming the valid forms."""
    kind, _, arg = spec.strip().partition(":")
    if kind not in BACKENDS:
        raise ValueError(f"unknown LLM backend {kind!r} in {spec!r}; valid: openai:MODEL[@BASE_URL], "
                         "gemini:MODEL, hf:PATH, tiny:PATH, smollm2, scripted:FILE")
    if kind in _NO_ARG and arg:
        raise ValueError(f"{kind} takes no argument, got {spec!r}")
    if kind not in _NO_ARG and not arg:
        raise ValueError(f"{kind} needs an argument after ':', e.g. {kind}:{'PATH' if kind in ('hf', 'tiny') else 'MODEL'}")
    return kind, arg


def make_llm(spec: str | LLM, **options: Any) -> LLM:
    """Build the backend a spec names (an LLM object is returned as is); options go to its constructor."""
    if not isinstance(spec, str):
        return spec
    kind, arg = split_spec(spec)
    module, _, attr = BACKENDS[kind].partition(":")
    factory = getattr(importlib.import_module(module), attr)
    llm: LLM = factory(arg, **options) if kind not in _NO_ARG else factory(**options)
    return llm
