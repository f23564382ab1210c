"""`gemini:MODEL` through google-genai (optional extra: `pip install 'mira[gemini]'`).

The key comes from GEMINI_API_KEY or GOOGLE_API_KEY (google-genai reads them itself). Gemini is also
reachable without this extra through its OpenAI-compatible root:
`openai:gemini-2.5-flash@https://generativelanguage.googleapis.com/v1beta/openai/`.
"""

from __future__ import annotations

import time
from typing import Any

from mira.llm.pricing import cost
from mira.types import Completion, Message


def to_gemini(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """OpenAI-style messages -> (system instruction, contents with roles user/model)."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    contents = [{"role": "model" if m["role"] == "assistant" else "user", "parts": [{"text": m["content"]}]}
                for m in messages if m["role"] != "system"]
    return system, contents


class GeminiLLM:
    """A Gemini model through the google-genai client."""

    def __init__(self, model: str, temperature: float = 0.0, max_tokens: int = 1024) -> None:
        try:
            from google import genai
        except ImportError:
            raise RuntimeError("the gemini backend needs google-genai: pip install 'mira[gemini]' "
                               "(or use openai:MODEL@https://generativelanguage.googleapis.com/v1beta/openai/)") from None
        self.model = model
        self.name = f"gemini:{model}"
        self.temperature, self.max_tokens = temperature, max_tokens
        self._client = genai.Client()

    def complete(self, messages: list[Message], **sampling: Any) -> Completion:
        from google.genai import types

        system, contents = to_gemini(messages)
        config = types.GenerateContentConfig(
            system_instruction=system or None,
            temperature=float(sampling.get("temperature", self.temperature)),
            max_output_tokens=int(sampling.get("max_tokens", self.max_tokens)),
        )
        t0 = time.perf_counter()
        resp = self._client.models.generate_content(model=self.model, contents=contents, config=config)
        usage = resp.usage_metadata
        pt = int(getattr(usage, "prompt_token_count", 0) or 0)
        ct = int(getattr(usage, "candidates_token_count", 0) or 0)
        return Completion(text=resp.text or "", prompt_tokens=pt, completion_tokens=ct, cost=cost(self.model, pt, ct),
                          latency_s=round(time.perf_counter() - t0, 4))


def make(arg: str, **options: Any) -> GeminiLLM:
    return GeminiLLM(arg, **options)
