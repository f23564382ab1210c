"""mira: long-horizon LLM web agents that plan through milestones, and MiRA, RL with dense milestone rewards."""

__version__ = "0.1.0"
