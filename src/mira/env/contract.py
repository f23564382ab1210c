"""check_env: the behaviour every suite's Env must show, checked on a live env (tests call it per suite).

    with make_env("miniwob/click-test") as env:
        check_env(env)

Raises ContractError naming the first broken rule. Add a suite to the contract test by adding one
parametrize entry in tests/env/test_contract.py.
"""

from __future__ import annotations

from mira.types import Env, Observation, StepResult

__all__ = ["ContractError", "check_env"]


class ContractError(AssertionError):
    """An Env broke a rule of the Env contract."""


def _require(ok: object, rule: str) -> None:
    if not ok:
        raise ContractError(rule)


def check_env(env: Env, seed: int = 0, bad_action: str = "fly [to the moon]", stop_action: str = "stop [done]",
              deterministic: bool = True) -> None:
    """Check the Env contract on `env` (it is reset several times; the caller closes it)."""
    _require(isinstance(env, Env), "implements the Env protocol (task, reset, step, close, context manager)")
    _require(env.task.id.count("/") >= 1, f"task.id is SUITE/TASK_ID, got {env.task.id!r}")
    obs = env.reset(seed=seed)
    _check_obs(obs, "reset")
    _require(obs.goal, "reset's observation carries the goal")
    _require(env.task.goal == obs.goal, "env.task.goal is the goal after reset")
    _require(not obs.error, f"reset's observation has no error, got {obs.error!r}")

    res = env.step(bad_action)
    _check_result(res, f"step({bad_action!r})")
    _require(res.obs.error, "an unparseable action comes back as obs.error")
    _require(res.reward == 0 and not res.terminated and not res.truncated, "an unparseable action ends nothing")
    _require(res.obs.text == obs.text, "an unparseable action leaves the page as it was")

    if deterministic:
        again = env.reset(seed=seed)
        _require((again.text, again.goal) == (obs.text, obs.goal), "the same seed gives the same observation and goal")

    res = env.step(stop_action)
    _check_result(res, f"step({stop_action!r})")
    _require(res.terminated, "stop ends the episode (terminated=True)")
    _require(isinstance(res.info.get("success"), bool), "a finished episode's info carries 'success' (bool)")
    after = env.step(stop_action)
    _check_result(after, "step after the end")
    _require(after.terminated, "steps after the end keep terminated=True")
    _require(after.reward == 0, "steps after the end give no reward")

    _check_obs(env.reset(seed=seed + 1), "a second reset")


def _check_obs(obs: Observation, where: str) -> None:
    _require(isinstance(obs, Observation), f"{where} returns an Observation, got {type(obs).__name__}")
    _require(isinstance(obs.text, str) and obs.text.strip(), f"{where}: the observation text is not empty")
    _require(isinstance(obs.tabs, tuple), f"{where}: obs.tabs is a tuple")


def _check_result(res: StepResult, where: str) -> None:
    _require(isinstance(res, StepResult), f"{where} returns a StepResult, got {type(res).__name__}")
    _check_obs(res.obs, where)
    _require(isinstance(res.reward, float), f"{where}: reward is a float, got {type(res.reward).__name__}")
    _require(isinstance(res.info, dict), f"{where}: info is a dict")
