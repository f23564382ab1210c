"""Agents registered by name: `replay` (an action file), `oracle` (arena), `plain`, `sgo`, `scored` (a trained
policy choosing among the page's actions; mira.train.scored)."""

from __future__ import annotations

import importlib
from typing import Any

from mira.types import Agent

AGENTS: dict[str, str] = {
    "replay": "mira.agent.replay:ReplayAgent",
    "oracle": "mira.arena.oracle:OracleAgent",
    "plain": "mira.agent.plain:PlainAgent",
    "sgo": "mira.agent.sgo:SGOAgent",
    "scored": "mira.train.scored:ScoredPolicy",
}


def make_agent(name: str, **options: Any) -> Agent:
    """Build the agent registered as `name` with its keyword options; ValueError listing valid names."""
    if name not in AGENTS:
        raise ValueError(f"unknown agent {name!r}; valid agents: {', '.join(AGENTS)}")
    module, _, attr = AGENTS[name].partition(":")
    cls = getattr(importlib.import_module(module), attr)
    agent: Agent = cls(**options)
    return agent
