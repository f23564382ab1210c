"""The arena: an embedded WebArena-style multi-site web world with tasks, evaluators and exact milestones."""
