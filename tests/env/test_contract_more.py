"""The Env contract (mira.env.contract.check_env) on scienceworld, browsergym and webarena-format envs."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mira.env import get_suite, make_env
from mira.env.contract import check_env
from mira.env.webarena import WebArenaEnv, load_webarena_tasks, task_from_config

SITE = Path(__file__).parent.parent / "data" / "evaluators" / "site"


@pytest.mark.skipif(not get_suite("scienceworld").availability().ok, reason="no java")
def test_scienceworld_contract() -> None:
    with make_env("scienceworld/melt") as env:
        check_env(env)


@pytest.mark.browser
@pytest.mark.skipif(not get_suite("browsergym").availability().ok, reason="browsergym-core not installed")
def test_browsergym_contract() -> None:
    with make_env("browsergym/miniwob.click-test", pre_observation_delay=0.0, slow_mo=0) as env:
        check_env(env)


@pytest.fixture
def local_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("WA_SHOPPING", url)
    yield url
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_webarena_format_env_contract(local_site: str) -> None:
    cfg = load_webarena_tasks(SITE.parent / "tasks.json")[0]
    with WebArenaEnv(task_from_config(cfg, suite="fixture")) as env:
        check_env(env)
