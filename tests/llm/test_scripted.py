import json

import pytest

from mira.llm import make_llm, split_spec
from mira.llm.gemini import to_gemini
from mira.llm.scripted import ScriptedLLM, load_replies


def test_json_file(tmp_path):
    f = tmp_path / "r.json"
    f.write_text(json.dumps(["one", "two\nlines"]))
    assert load_replies(f) == ["one", "two\nlines"]


def test_dash_separated_file(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("I think\n```\nclick [1]\n```\n---\nstop [done]\n---   \n\n")
    assert load_replies(f) == ["I think\n```\nclick [1]\n```", "stop [done]"]


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_replies(tmp_path / "nope.txt")
    f = tmp_path / "bad.json"
    f.write_text("[1, 2]")
    with pytest.raises(ValueError, match="list of strings"):
        load_replies(f)


def test_spec_records_messages_and_runs_out(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("a\n---\nb")
    llm = make_llm(f"scripted:{f}", when_done="raise")
    assert isinstance(llm, ScriptedLLM)
    msgs = [{"role": "user", "content": "x" * 40}]
    c = llm.complete(msgs)
    assert (c.text, c.prompt_tokens, c.completion_tokens) == ("a", 10, 1)
    assert llm.complete(msgs).text == "b"
    assert llm.calls == [msgs, msgs]
    with pytest.raises(RuntimeError, match="ran out of replies after 2"):
        llm.complete(msgs)
    assert ScriptedLLM(["a"], when_done="repeat").complete(msgs).text == "a"
    repeating = make_llm(f"scripted:{f}")  # from a file the last reply repeats by default
    assert [repeating.complete(msgs).text for _ in range(3)] == ["a", "b", "b"]


def test_callable_replies():
    llm = ScriptedLLM(lambda m: m[-1]["content"].upper())
    assert llm.complete([{"role": "user", "content": "hey"}]).text == "HEY"


@pytest.mark.parametrize(("spec", "err"), [("nope:x", "unknown LLM backend"), ("openai:", "needs an argument"),
                                           ("smollm2:x", "takes no argument"), ("hf", "needs an argument")])
def test_bad_specs(spec, err):
    with pytest.raises(ValueError, match=err):
        split_spec(spec)


def test_gemini_messages_and_missing_extra():
    system, contents = to_gemini([{"role": "system", "content": "S"}, {"role": "user", "content": "U"},
                                  {"role": "assistant", "content": "A"}])
    assert system == "S"
    assert [c["role"] for c in contents] == ["user", "model"]
    try:
        import google.genai  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match=r"pip install 'mira\[gemini\]'"):
            make_llm("gemini:gemini-2.5-flash")


def test_tiny_spec_loads_a_checkpoint_the_trainer_wrote(tmp_path):
    """`tiny:PATH` serves a policy mira's trainer saved, with token ids and log-probs as `hf:` does."""
    from mira.train.models import TinySpec, build_tiny, save_policy, train_tokenizer

    tok = train_tokenizer(["click [12] link 'Blue Mat'", "type [5] [yoga mat] [1]", "stop [42]"] * 20, vocab_size=300)
    save_policy(build_tiny(tok, TinySpec()), tok, tmp_path / "ckpt")
    llm = make_llm(f"tiny:{tmp_path / 'ckpt'}", max_new_tokens=4)
    out = llm.complete([{"role": "user", "content": "Buy the blue mat"}])
    assert out.token_ids and len(out.token_ids) == len(out.logprobs) <= 4
    assert all(lp <= 0 for lp in out.logprobs)
