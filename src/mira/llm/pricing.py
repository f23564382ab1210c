"""A small price table (USD per 1M tokens, list prices mid-2025) so runs report a cost; 0 if unknown."""

from __future__ import annotations

PRICES: dict[str, tuple[float, float]] = {
    # model name prefix: (input, output) USD per 1M tokens; the longest matching prefix wins
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4-turbo": (10.00, 30.00),
    "o4-mini": (1.10, 4.40),
    "gemini-2.5-pro": (1.25, 10.00),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.0-flash": (0.10, 0.40),
}


def cost(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """The USD cost of one call; 0.0 for a model not in the table (local, vLLM-served, ...)."""
    name = model.rsplit("/", 1)[-1].lower()
    matches = [p for p in PRICES if name.startswith(p)]
    if not matches:
        return 0.0
    pin, pout = PRICES[max(matches, key=len)]
    return (prompt_tokens * pin + completion_tokens * pout) / 1e6
