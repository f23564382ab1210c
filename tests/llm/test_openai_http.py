import time

import pytest

from llm.fake_openai import dead_url, serving
from mira.llm import make_llm
from mira.llm.openai_http import LLMError, OpenAIConfig, OpenAILLM, chat_url
from mira.llm.pricing import cost
from mira.llm.redact import redact_url

FAST = OpenAIConfig(backoff_s=0.01, max_backoff_s=0.05, max_retries=3, timeout_s=5)
MSG = [{"role": "user", "content": "hi"}]


def test_reply_usage_cost_and_auth_header(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    with serving(["click [3]"]) as srv:
        llm = make_llm(f"openai:gpt-4o-mini@{srv.url}", config=FAST)
        c = llm.complete(MSG, temperature=0.5, max_tokens=50)
    assert c.text == "click [3]"
    assert (c.prompt_tokens, c.completion_tokens) == (100, 7)
    assert c.cost == pytest.approx((100 * 0.15 + 7 * 0.60) / 1e6)
    req = srv.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["authorization"] == "Bearer sk-test-123"
    assert req["body"]["temperature"] == 0.5 and req["body"]["max_tokens"] == 50
    assert req["body"]["messages"] == MSG


def test_retries_429_and_500_then_succeeds():
    with serving(["ok"], failures=[429, 500, 503]) as srv:
        c = OpenAILLM("m", srv.url, FAST).complete(MSG)
    assert c.text == "ok" and len(srv.requests) == 4


def test_gives_up_after_bounded_retries():
    with serving(["never"], failures=[500] * 10) as srv, pytest.raises(LLMError, match=r"after 4 tries: HTTP 500"):
        OpenAILLM("m", srv.url, FAST).complete(MSG)
    assert len(srv.requests) == 4


def test_non_retryable_status_fails_at_once():
    with serving(["never"], failures=[401]) as srv, pytest.raises(LLMError, match="after 1 tries: HTTP 401"):
        OpenAILLM("m", srv.url, FAST).complete(MSG)
    assert len(srv.requests) == 1


def test_dead_server_fails_cleanly_without_leaking_secrets():
    url = dead_url().replace("http://", "http://user:hunter2@") + "/v1?api_key=abc987"
    llm = OpenAILLM("m", url, FAST, api_key="sk-secret-xyz")
    t0 = time.perf_counter()
    with pytest.raises(LLMError, match="failed after 4 tries: ConnectError") as e:
        llm.complete(MSG)
    assert time.perf_counter() - t0 < 5
    for secret in ("hunter2", "abc987", "sk-secret-xyz"):
        assert secret not in str(e.value) and secret not in llm.name
    assert "127.0.0.1" in str(e.value)


def test_malformed_response_is_a_clear_error():
    with pytest.raises(LLMError, match="unexpected response shape"):
        OpenAILLM("m", "http://127.0.0.1:1", FAST)._completion({"choices": []}, 0.0)


@pytest.mark.parametrize(("base", "url"), [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/chat/completions"),
    ("http://h:1/v1/", "http://h:1/v1/chat/completions"),
    ("https://generativelanguage.googleapis.com/v1beta/openai/",
     "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"),
    ("http://h/v1/chat/completions", "http://h/v1/chat/completions"),
])
def test_chat_url(base, url):
    assert chat_url(base) == url


def test_redact_url_and_prices():
    assert redact_url("https://u:p@h.com/v1?key=s3cret&x=1") == "https://h.com/v1?key=%2A%2A%2A&x=1"
    assert cost("unknown-local-model", 1000, 1000) == 0.0
    assert cost("gpt-4o-2024-08-06", 1_000_000, 0) == pytest.approx(2.5)
    assert cost("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)  # the longest prefix wins
