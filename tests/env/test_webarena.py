"""WebArena-Lite configs, the WebArena task-file loader, and WebArenaEnv against a local site in real Chromium."""

from __future__ import annotations

import collections
import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mira.env import get_suite, make_env
from mira.env.evaluators import evaluate
from mira.env.webarena import WebArenaEnv, lite_config_path, load_webarena_tasks, task_from_config

DATA = Path(__file__).parent.parent / "data" / "evaluators"
SUITE = get_suite("webarena-lite")
needs_lite = pytest.mark.skipif(lite_config_path() is None,
                                reason="pip install --no-deps browsergym-webarenalite==0.14.3")
WA_VARS = ["WA_SHOPPING", "WA_SHOPPING_ADMIN", "WA_REDDIT", "WA_GITLAB", "WA_WIKIPEDIA", "WA_MAP", "WA_HOMEPAGE"]


@pytest.fixture
def no_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in WA_VARS:
        monkeypatch.delenv(var, raising=False)


@needs_lite
def test_counts_and_paper_grouping(no_sites: None) -> None:
    ids = SUITE.task_ids()
    assert ids == [str(i) for i in range(165)] and SUITE.task_ids("test") == ids
    tasks = [SUITE.load_task(i) for i in ids]
    assert collections.Counter(t.site for t in tasks) == {"oss": 45, "cms": 35, "gitlab": 30, "map": 26,
                                                          "reddit": 19, "multi": 10}
    raw = collections.Counter(t.config["sites"][0] if len(t.config["sites"]) == 1 else "multi" for t in tasks)
    assert raw == {"shopping": 45, "shopping_admin": 35, "gitlab": 30, "map": 26, "reddit": 19, "multi": 10}
    assert tasks[0].goal == "What are the top-3 best-selling product in Jan 2023"
    with pytest.raises(KeyError, match="valid ids: 0..164"):
        SUITE.load_task("165")


@needs_lite
def test_site_urls_substituted_from_wa_vars(no_sites: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert SUITE.load_task("0").start_url == "__SHOPPING_ADMIN__"  # unset: placeholder kept
    monkeypatch.setenv("WA_SHOPPING_ADMIN", "http://wa.example:7780/admin/")
    monkeypatch.setenv("WA_REDDIT", "http://wa.example:9999")
    assert SUITE.load_task("0").start_url == "http://wa.example:7780/admin"
    t146 = SUITE.load_task("146")
    assert t146.config["eval"]["reference_url"].startswith("http://wa.example:9999/f/machinelearning |OR| ")
    assert "__GITLAB__/convexegg/chatgpt" in json.dumps(t146.config)  # WA_GITLAB still unset


@needs_lite
def test_availability_names_exactly_the_missing_vars(no_sites: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in WA_VARS[:5]:
        monkeypatch.setenv(var, "http://127.0.0.1:1")
    avail = SUITE.availability()
    assert not avail.ok and avail.reason == "sites not configured: set WA_MAP=<url>, WA_HOMEPAGE=<url>"
    with pytest.raises(RuntimeError, match="WA_MAP=<url>, WA_HOMEPAGE=<url>"):
        make_env("webarena-lite/0")
    monkeypatch.setenv("WA_MAP", "http://127.0.0.1:1")
    monkeypatch.setenv("WA_HOMEPAGE", "http://127.0.0.1:1")
    assert SUITE.availability().ok


def _reference_answer(refs: dict[str, Any]) -> str:
    if "exact_match" in refs:
        return str(refs["exact_match"])
    values = refs["must_include"]
    return ", ".join(v.split(" |OR| ")[0] for v in ([values] if isinstance(values, str) else values))


@needs_lite
def test_string_match_tasks_score_their_reference_answers_offline(no_sites: None) -> None:
    string_tasks = [SUITE.load_task(i).config for i in SUITE.task_ids()
                    if SUITE.load_task(i).config["eval"]["eval_types"] == ["string_match"]]
    assert len(string_tasks) == 78
    decided = [c for c in string_tasks if "fuzzy_match" not in c["eval"]["reference_answers"]]
    assert len(decided) > 30
    for cfg in decided:
        assert evaluate(cfg, answer=_reference_answer(cfg["eval"]["reference_answers"])).score == 1.0, cfg["task_id"]
        assert evaluate(cfg, answer="zzz qqq").score == 0.0, cfg["task_id"]
    for cfg in string_tasks:
        refs = cfg["eval"]["reference_answers"]
        if set(refs) == {"fuzzy_match"} and refs["fuzzy_match"] != "N/A":
            assert evaluate(cfg, answer="something").needs_judge, cfg["task_id"]


@needs_lite
def test_task_94_or_alternatives_pass() -> None:  # must_include ["65 |OR| 3"]: unsolvable in stock WebArena
    cfg = SUITE.load_task("94").config  # "... rating ... round to the nearest whole number"
    assert evaluate(cfg, answer="Around 3.1 stars").score == 0.0  # a one-character reference is a whole token
    assert evaluate(cfg, answer="About 3 stars").score == 1.0
    assert evaluate(cfg, answer="65%").score == 1.0


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('"a string"', "expected a JSON list of task objects"),
    ('[{"task_id": 1}]', "missing field 'intent'"),
    ('[{"task_id": 1, "intent": 5, "start_url": "", "sites": [], "eval": {"eval_types": ["string_match"], '
     '"reference_answers": {}}}]', "field 'intent' must be str, got int"),
    ('[{"task_id": 1, "intent": "x", "start_url": "", "sites": "shopping", "eval": {"eval_types": ["url_match"]}}]',
     "field 'sites' must be list"),
    ('[{"task_id": 1, "intent": "x", "start_url": "", "sites": [], "eval": {"eval_types": ["url_match"]}}]',
     "missing field 'eval.reference_url (needed by url_match)'"),
    ('[{"task_id": 1, "intent": "x", "start_url": "", "sites": [], "eval": {"eval_types": ["dom"]}}]',
     "unknown 'dom' (valid: string_match, url_match, program_html)"),
    ('[{"task_id": 1, "intent": "x", "start_url": "", "sites": [], "eval": {"eval_types": ["program_html"], '
     '"program_html": [{"url": "last"}]}}]', "eval.program_html[0].locator"),
    ('[{"task_id": 1, "intent": "x", "start_url": "", "sites": [], "eval": {"eval_types": ["url_match"], '
     '"reference_url": "u"}}, {"task_id": 1, "intent": "x", "start_url": "", "sites": [], '
     '"eval": {"eval_types": ["url_match"], "reference_url": "u"}}]', "task #1 (task_id=1): duplicate task_id"),
])
def test_malformed_task_files_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=re.escape(message)) as e:
        load_webarena_tasks(path)
    assert str(path) in str(e.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such task file"):
        load_webarena_tasks(tmp_path / "nope.json")


# --- a WebArena-format task in real Chromium against a local site -----------------------------------

@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(DATA / "site"))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fixture_tasks(site: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("WA_SHOPPING", site + "/")
    return {str(c["task_id"]): task_from_config(c, suite="fixture") for c in load_webarena_tasks(DATA / "tasks.json")}


@pytest.mark.browser
def test_env_string_match_on_stop(fixture_tasks: dict[str, Any]) -> None:
    with WebArenaEnv(fixture_tasks["answer"]) as env:
        obs = env.reset()
        assert "Tiny Shop" in obs.text and obs.url.endswith("/index.html")
        assert env.step("stop [3]").reward == 1.0
        env.reset()
        res = env.step("stop [13]")
        assert res.reward == 0.0 and res.terminated and res.info["success"] is False


@pytest.mark.browser
def test_env_url_match_and_program_html(fixture_tasks: dict[str, Any]) -> None:
    with WebArenaEnv(fixture_tasks["cart"]) as env:
        env.reset()
        assert env.step("stop []").reward == 0.0  # still on the home page
        obs = env.reset()
        link = next(line for line in obs.text.splitlines() if "link 'Cart'" in line)
        step = env.step(f"click [{link.split('[')[1].split(']')[0]}]")
        assert step.obs.url.endswith("cart.html?item=candles") and step.reward == 0.0 and not step.terminated
        res = env.step("stop []")
        assert res.reward == 1.0 and res.info["success"], res.info
        assert res.info["eval"]["program_html"]["targets"][0]["text"] == "SPAAS White Taper Candles - 4 Pack"
