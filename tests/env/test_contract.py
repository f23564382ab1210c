"""Every suite's Env keeps the same contract; add a suite with one parametrize entry."""

from __future__ import annotations

import pytest

from mira.env import make_env
from mira.env.contract import ContractError, check_env

SUITES = [
    pytest.param("miniwob/click-test", {}, id="miniwob"),
    pytest.param("miniwob/search-engine", {}, id="miniwob-search-engine"),
    pytest.param("arena/0", {}, id="arena"),
    pytest.param("arena/0", {"browserless": True}, id="arena-browserless"),
]


@pytest.mark.parametrize(("task_ref", "env_options"), SUITES)
def test_env_contract(task_ref: str, env_options: dict) -> None:
    with make_env(task_ref, **env_options) as env:
        check_env(env)


class _BrokenEnv:
    """Raises nothing but ignores the contract: an error-free parse of nonsense."""

    def __init__(self, real) -> None:
        self._real = real

    @property
    def task(self):
        return self._real.task

    def reset(self, seed=None):
        return self._real.reset(seed)

    def step(self, action):
        return self._real.step("noop")

    def close(self) -> None:
        self._real.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def test_contract_catches_a_broken_env() -> None:
    with make_env("miniwob/click-test") as env, pytest.raises(ContractError, match="unparseable action"):
        check_env(_BrokenEnv(env))
