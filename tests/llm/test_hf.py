"""The real SmolLM2-135M-Instruct (prepared once by `make models`) through the hf backend."""

import math

import pytest

from mira.llm import make_llm, smollm2


@pytest.fixture(scope="module")
def llm():
    if not smollm2.is_prepared():
        pytest.fail(f"smollm2 is not prepared in {smollm2.model_dir()}: run `make models`")
    return make_llm("smollm2", max_new_tokens=12, threads=1)


def test_greedy_reply_with_token_ids_and_logprobs(llm):
    c = llm.complete([{"role": "user", "content": "What is the capital of France?"}])
    assert "Paris" in c.text
    assert c.token_ids is not None and c.logprobs is not None
    assert len(c.token_ids) == len(c.logprobs) == c.completion_tokens <= 12
    assert all(lp <= 0 for lp in c.logprobs) and sum(c.logprobs) > -20
    assert c.prompt_tokens > 5 and c.cost == 0.0
    assert llm.tokenizer.decode(list(c.token_ids), skip_special_tokens=True).strip() == c.text
    again = llm.complete([{"role": "user", "content": "What is the capital of France?"}])
    assert again.token_ids == c.token_ids  # greedy is deterministic


def test_sampling_and_shared_weights(llm):
    other = make_llm(f"hf:{smollm2.model_dir()}", temperature=1.0, max_new_tokens=6)
    assert other.model is llm.model  # loaded once per process
    c = other.complete([{"role": "user", "content": "Say a word."}], seed=1)
    assert c.completion_tokens <= 6 and all(math.isfinite(x) for x in c.logprobs or ())
