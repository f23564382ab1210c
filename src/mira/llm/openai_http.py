"""`openai:MODEL[@BASE_URL]`: any OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang, Gemini's
compatible root) through one plain httpx POST, with timeouts and bounded retries with backoff.

The key comes from OPENAI_API_KEY or MIRA_OPENAI_API_KEY and is never put in a name, log or error.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from mira.llm.pricing import cost
from mira.llm.redact import redact, redact_url
from mira.types import Completion, Message

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
KEY_VARS = ("MIRA_OPENAI_API_KEY", "OPENAI_API_KEY")
_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_SAMPLING = ("temperature", "top_p", "max_tokens", "stop", "seed", "n", "logprobs", "top_logprobs")


class LLMError(RuntimeError):
    """A call that failed for good (after the retries, or a non-retryable status)."""


@dataclass(frozen=True)
class OpenAIConfig:
    """How the client talks to the server."""

    timeout_s: float = 120.0
    """Read timeout of one request (connect timeout is min(10, this))."""
    max_retries: int = 4
    """Retries after the first try, on 429/5xx/timeouts/connection errors; then LLMError."""
    backoff_s: float = 1.0
    """First wait; doubles each retry (with up to 25% jitter), capped by max_backoff_s."""
    max_backoff_s: float = 30.0
    """Longest wait between tries, also the cap on a server's Retry-After."""
    temperature: float = 0.0
    """Default sampling temperature (0: greedy, as WebArena's evaluation)."""
    max_tokens: int = 1024
    """Default cap on the reply's tokens."""


def chat_url(base_url: str) -> str:
    """The /chat/completions URL: a bare host gets /v1; a base with a path (…/v1, …/openai/) keeps it."""
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    path = httpx.URL(base).path
    return base + ("/v1/chat/completions" if path in ("", "/") else "/chat/completions")


class OpenAILLM:
    """A chat model behind an OpenAI-compatible HTTP API."""

    def __init__(self, model: str, base_url: str = DEFAULT_BASE_URL, config: OpenAIConfig | None = None,
                 api_key: str | None = None) -> None:
        self.model = model
        self.config = config or OpenAIConfig()
        url = httpx.URL(chat_url(base_url))
        # credentials in the URL become Basic auth, unless an API key gives a Bearer header
        self._basic = (url.username, url.password) if url.username else None
        self.url = str(url.copy_with(username=None, password=None))
        self._key = api_key if api_key is not None else next((os.environ[v] for v in KEY_VARS if os.environ.get(v)), "")
        safe = redact_url(base_url)
        self.name = f"openai:{model}" + ("" if base_url == DEFAULT_BASE_URL else f"@{safe}")
        self._safe_url = redact_url(self.url)
        self._secrets = [s for s in (self._key, base_url, *(self._basic or ())) if s and s != safe]
        timeout = httpx.Timeout(self.config.timeout_s, connect=min(10.0, self.config.timeout_s))
        self._client = httpx.Client(timeout=timeout)

    def complete(self, messages: list[Message], **sampling: Any) -> Completion:
        body: dict[str, Any] = {"model": self.model, "messages": messages,
                                "temperature": self.config.temperature, "max_tokens": self.config.max_tokens}
        body.update({k: v for k, v in sampling.items() if k in _SAMPLING and v is not None})
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        t0 = time.perf_counter()
        data = self._post(body, headers)
        return self._completion(data, time.perf_counter() - t0)

    def _post(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        last = ""
        for attempt in range(self.config.max_retries + 1):
            wait = self._backoff(attempt)
            try:
                if self._basic and "Authorization" not in headers:
                    resp = self._client.post(self.url, json=body, headers=headers, auth=self._basic)
                else:
                    resp = self._client.post(self.url, json=body, headers=headers)
            except httpx.TransportError as e:  # refused, reset, timed out: worth another try
                last = f"{type(e).__name__}: {e}"
            else:
                if resp.status_code == 200:
                    data: dict[str, Any] = resp.json()
                    return data
                last = f"HTTP {resp.status_code}: {resp.text[:300]}"
                if resp.status_code not in _RETRY_STATUS:
                    break
                wait = max(wait, _retry_after(resp, self.config.max_backoff_s))
            if attempt < self.config.max_retries:
                log.warning("%s: try %d failed (%s); retrying in %.1f s", self.name, attempt + 1,
                            self._clean(last)[:120], wait)
                time.sleep(wait)
        raise LLMError(f"{self.name}: request to {self._safe_url} failed after "
                       f"{attempt + 1} tries: {self._clean(last)}")

    def _backoff(self, attempt: int) -> float:
        base = self.config.backoff_s * 2**attempt
        return min(self.config.max_backoff_s, base * (1 + 0.25 * random.random()))

    def _clean(self, text: str) -> str:
        return redact(text, self._secrets)

    def _completion(self, data: dict[str, Any], latency: float) -> Completion:
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            raise LLMError(f"{self.name}: unexpected response shape ({e!r}): {self._clean(str(data))[:300]}") from None
        usage = data.get("usage") or {}
        pt, ct = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        lp = (choice.get("logprobs") or {}).get("content") or None
        return Completion(text=text, prompt_tokens=pt, completion_tokens=ct, cost=cost(self.model, pt, ct),
                          latency_s=round(latency, 4),
                          logprobs=tuple(float(t["logprob"]) for t in lp) if lp else None)


def _retry_after(resp: httpx.Response, cap: float) -> float:
    try:
        return min(cap, float(resp.headers.get("retry-after", 0)))
    except ValueError:
        return 0.0


def make(arg: str, **options: Any) -> OpenAILLM:
    """`MODEL[@BASE_URL]` -> OpenAILLM; options are OpenAIConfig fields (or config=, api_key=)."""
    model, _, base_url = arg.partition("@")
    if not model:
        raise ValueError(f"openai spec needs a model name: openai:MODEL[@BASE_URL], got openai:{arg}")
    config = options.pop("config", None) or OpenAIConfig(**{k: options.pop(k) for k in list(options)
                                                            if k in OpenAIConfig.__dataclass_fields__})
    if options.keys() - {"api_key"}:
        raise ValueError(f"unknown openai options {sorted(options)}; valid: {sorted(OpenAIConfig.__dataclass_fields__)}")
    return OpenAILLM(model, base_url or DEFAULT_BASE_URL, config, api_key=options.get("api_key"))
