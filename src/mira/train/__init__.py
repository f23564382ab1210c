"""MiRA training: pure reward/advantage functions, losses, batching, models, algorithms and the phase loop.

Imports flow one way: `rewards`, `losses` (pure) <- `batch`, `models` <- `algorithms` <- `loop` <- `mira.cli.train`.
torch and transformers are imported only by the modules that need them.
"""
