"""WebArena-Lite (165 tasks) against the user's WebArena sites, and the loader of WebArena-format task files.

The configs ship in the `browsergym-webarenalite` wheel (`browsergym/webarenalite/test_webarena_lite.raw.json`);
the file is located through the installed distribution's file list, never by importing the package (its import
downloads NLTK data). Install it with `pip install --no-deps browsergym-webarenalite==0.14.3`.

Task ids are the config's `task_id` (0..164). `Task.site` uses the paper's grouping: `oss` (WebArena's shopping,
45), `cms` (shopping_admin, 35), `gitlab` (30), `map` (26), `reddit` (19), `multi` (more than one site, 10).

Site URLs come from WA_* variables (BrowserGym's names): WA_SHOPPING, WA_SHOPPING_ADMIN, WA_REDDIT, WA_GITLAB,
WA_WIKIPEDIA, WA_MAP, WA_HOMEPAGE; `__SHOPPING__`-style placeholders in a config are replaced by them.
Optional WA_AUTH_DIR: a folder of Playwright storage-state files `<site>_state.json` (WebArena's `.auth/`),
whose cookies are added before the start page opens.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from mira.env import Availability
from mira.env.browser import Browser, BrowserSession
from mira.env.evaluators import EVALUATORS, Judge, evaluate
from mira.env.web import WebEnv, WebEnvOptions
from mira.types import LLM, Task

__all__ = ["WebArenaLiteSuite", "WebArenaEnv", "load_webarena_tasks", "validate_task", "substitute_urls",
           "site_group", "task_from_config", "SITE_VARS", "SITE_GROUPS", "lite_config_path"]

log = logging.getLogger(__name__)

SITE_VARS: dict[str, str] = {
    "__SHOPPING__": "WA_SHOPPING",
    "__SHOPPING_ADMIN__": "WA_SHOPPING_ADMIN",
    "__REDDIT__": "WA_REDDIT",
    "__GITLAB__": "WA_GITLAB",
    "__WIKIPEDIA__": "WA_WIKIPEDIA",
    "__MAP__": "WA_MAP",
    "__HOMEPAGE__": "WA_HOMEPAGE",
}
"""Config placeholder -> the environment variable holding that site's base URL."""

SITE_GROUPS: dict[str, str] = {"shopping": "oss", "shopping_admin": "cms", "gitlab": "gitlab", "map": "map",
                               "reddit": "reddit", "wikipedia": "wikipedia"}
"""WebArena site name -> the paper's reporting group (OSS = online shopping store, CMS = its admin)."""

_LITE_FILE = "browsergym/webarenalite/test_webarena_lite.raw.json"
_DIST = "browsergym-webarenalite"


def lite_config_path() -> Path | None:
    """The WebArena-Lite config file of the installed wheel, or None."""
    try:
        dist = importlib.metadata.distribution(_DIST)
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if str(f) == _LITE_FILE:
            path = Path(str(dist.locate_file(f)))
            return path if path.exists() else None
    return None


# --- the generic loader ---------------------------------------------------------------------------

_FIELDS: dict[str, type | tuple[type, ...]] = {"task_id": (int, str), "intent": str, "start_url": str,
                                               "sites": list, "eval": dict}
_EVAL_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "string_match": {"reference_answers": dict},
    "url_match": {"reference_url": str},
    "program_html": {"program_html": list},
}


def validate_task(cfg: Any) -> list[str]:
    """What is wrong with one WebArena-format task config ([] if nothing)."""
    if not isinstance(cfg, dict):
        return [f"a task must be a JSON object, got {type(cfg).__name__}"]
    problems = [_type_problem(name, cfg, types) for name, types in _FIELDS.items()]
    ev = cfg.get("eval")
    if isinstance(ev, dict):
        kinds = ev.get("eval_types")
        if not isinstance(kinds, list) or not kinds:
            problems.append("eval.eval_types must be a non-empty list of " + ", ".join(EVALUATORS))
        else:
            for kind in kinds:
                if kind not in _EVAL_FIELDS:
                    problems.append(f"eval.eval_types: unknown {kind!r} (valid: {', '.join(EVALUATORS)})")
                    continue
                problems += [_type_problem(f, ev, t, f"eval.{f} (needed by {kind})")
                             for f, t in _EVAL_FIELDS[kind].items()]
                if kind == "program_html" and isinstance(ev.get("program_html"), list):
                    problems += _program_html_problems(ev["program_html"])
    return [p for p in problems if p]


def _type_problem(name: str, obj: dict[str, Any], types: type | tuple[type, ...], label: str = "") -> str:
    label = label or name
    if name not in obj:
        return f"missing field {label!r}"
    if not isinstance(obj[name], types) or isinstance(obj[name], bool):
        want = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        return f"field {label!r} must be {want}, got {type(obj[name]).__name__}"
    return ""


def _program_html_problems(targets: list[Any]) -> list[str]:
    out = []
    for i, t in enumerate(targets):
        if not isinstance(t, dict):
            out.append(f"eval.program_html[{i}] must be an object")
            continue
        for name, types in (("url", str), ("locator", str), ("required_contents", dict)):
            out.append(_type_problem(name, t, types, f"eval.program_html[{i}].{name}"))
    return out


def load_webarena_tasks(path: str | Path) -> list[dict[str, Any]]:
    """Read a WebArena-format task file (a JSON list of task configs, or one config).

    Raises ValueError naming the file, the task and each problem (missing fields, wrong types, bad eval types,
    duplicate task ids).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path}: no such task file") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    tasks = [data] if isinstance(data, dict) else data
    if not isinstance(tasks, list):
        raise ValueError(f"{path}: expected a JSON list of task objects, got {type(data).__name__}")
    problems: list[str] = []
    seen: set[str] = set()
    for i, cfg in enumerate(tasks):
        where = f"task #{i}" + (f" (task_id={cfg['task_id']!r})" if isinstance(cfg, dict) and "task_id" in cfg else "")
        problems += [f"{where}: {p}" for p in validate_task(cfg)]
        if isinstance(cfg, dict) and "task_id" in cfg:
            if str(cfg["task_id"]) in seen:
                problems.append(f"{where}: duplicate task_id")
            seen.add(str(cfg["task_id"]))
    if problems:
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ValueError(f"{path}: {len(problems)} problem(s) in WebArena task file:\n  " + "\n  ".join(problems[:20])
                         + more)
    return tasks


# --- sites ----------------------------------------------------------------------------------------

def substitute_urls(obj: Any, env: Mapping[str, str] | None = None) -> Any:
    """Replace `__SITE__` placeholders in every string of `obj` by the WA_* URLs that are set."""
    env = os.environ if env is None else env
    if isinstance(obj, str):
        for placeholder, var in SITE_VARS.items():
            if env.get(var):
                obj = obj.replace(placeholder, env[var].rstrip("/"))
        return obj
    if isinstance(obj, list):
        return [substitute_urls(v, env) for v in obj]
    if isinstance(obj, dict):
        return {k: substitute_urls(v, env) for k, v in obj.items()}
    return obj


def site_group(sites: list[str]) -> str:
    """The paper's reporting group of a task: one of SITE_GROUPS' values, or `multi`."""
    if len(sites) != 1:
        return "multi"
    return SITE_GROUPS.get(sites[0], sites[0])


def missing_site_vars(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    return [var for var in SITE_VARS.values() if not env.get(var)]


def task_from_config(cfg: dict[str, Any], suite: str = "webarena-lite") -> Task:
    """A Task from one WebArena-format config, site URLs substituted from the environment."""
    cfg = substitute_urls(cfg)
    return Task(id=f"{suite}/{cfg['task_id']}", goal=cfg["intent"], site=site_group(cfg["sites"]),
                start_url=cfg["start_url"].split(" |AND| ")[0], config=cfg)


@cache
def _lite_tasks() -> dict[str, dict[str, Any]]:
    path = lite_config_path()
    if path is None:
        raise RuntimeError(f"WebArena-Lite configs not found: pip install --no-deps {_DIST}==0.14.3")
    return {str(cfg["task_id"]): cfg for cfg in load_webarena_tasks(path)}


class WebArenaLiteSuite:
    """The 165 WebArena-Lite tasks (`webarena-lite/0` .. `webarena-lite/164`); all in the `test` split."""

    name = "webarena-lite"
    splits = ("test",)

    def task_ids(self, split: str | None = None) -> list[str]:
        if split not in (None, "test"):
            raise ValueError(f"unknown split {split!r}; valid: test")
        return sorted(_lite_tasks(), key=int)

    def load_task(self, task_id: str) -> Task:
        tasks = _lite_tasks()
        if task_id not in tasks:
            raise KeyError(f"unknown webarena-lite task {task_id!r}; valid ids: 0..{len(tasks) - 1}")
        return task_from_config(tasks[task_id])

    def availability(self) -> Availability:
        if lite_config_path() is None:
            return Availability(False, f"configs not installed: pip install --no-deps {_DIST}==0.14.3")
        missing = missing_site_vars()
        if missing:
            return Availability(False, "sites not configured: set " + ", ".join(f"{v}=<url>" for v in missing))
        return Availability(True)

    def make_env(self, task_id: str, **options: Any) -> WebArenaEnv:
        judge = options.pop("judge", None)
        return WebArenaEnv(self.load_task(task_id), WebEnvOptions.from_kwargs(**options), judge=judge)


# --- the env --------------------------------------------------------------------------------------

class WebArenaEnv(WebEnv):
    """A WebArena-format task in the browser: opens start_url, evaluates with evaluators.evaluate on stop."""

    def __init__(self, task: Task, options: WebEnvOptions | None = None, browser: Browser | None = None,
                 judge: Judge | LLM | str | None = None) -> None:
        super().__init__(task, options, browser)
        self.judge = judge

    def _start(self, session: BrowserSession, seed: int | None) -> None:
        unset = sorted(set(re.findall(r"__[A-Z_]+__", json.dumps(self.task.config))) & set(SITE_VARS))
        if unset:
            raise RuntimeError(f"{self.task.id}: sites not configured: set "
                               + ", ".join(f"{SITE_VARS[p]}=<url>" for p in unset))
        self._add_auth(session)
        super()._start(session, seed)

    def _add_auth(self, session: BrowserSession) -> None:
        auth_dir = os.environ.get("WA_AUTH_DIR")
        if not auth_dir:
            return
        for site in self.task.config.get("sites", []):
            state = Path(auth_dir) / f"{site}_state.json"
            if state.exists():
                session.add_cookies(json.loads(state.read_text()).get("cookies", []))
            else:
                log.warning("%s: no login state %s (WA_AUTH_DIR)", self.task.id, state)

    def _evaluate(self, session: BrowserSession, answer: str | None) -> tuple[float, bool, dict[str, Any]]:
        if answer is None:  # WebArena evaluates once, when the agent stops
            return 0.0, False, {}
        res = evaluate(self.task.config, answer=answer, page_url=session.page.url,
                       run_js=page_reader(session.page), judge=self.judge)
        return res.score, True, {"success": res.score >= 1.0, "needs_judge": res.needs_judge, "eval": res.details}


_GITLAB_ROLE = re.compile(r"^func:gitlab_get_project_memeber_role\(__page__,\s*['\"]([^'\"]+)['\"]\)$")
_ROLE_JS = """(name) => {
  const accounts = [...document.querySelectorAll("td[data-label='Account'] span.gl-avatar-labeled-sublabel")];
  const i = accounts.findIndex(e => e.outerText === '@' + name);
  const roles = document.querySelectorAll("td.col-max-role span");
  return i < 0 || !roles[i] ? '' : roles[i].outerText;
}"""


def page_reader(page: Any) -> Callable[[str, str], str]:
    """run_js for evaluators over a Playwright page: WebArena's program_html page reads (navigates the page)."""

    def run_js(url: str, locator: str) -> str:
        if url.startswith("func:"):
            raise ValueError(f"program_html url helper {url!r} needs the site's API; not supported")
        if url != "last":
            page.goto(url, wait_until="load")
        locator = locator.strip()
        if not locator:
            return str(page.content())
        role = _GITLAB_ROLE.match(locator)
        if role:
            return str(page.evaluate(_ROLE_JS, role.group(1)))
        if locator.startswith(("document.", "[...document.")):
            try:
                return str(page.evaluate(f"() => {locator}") or "")
            except Exception as e:  # WebArena: a locator that fails on this page reads as ''
                log.info("locator failed: %s", e)
                return ""
        raise ValueError(f"unknown program_html locator {locator[:80]!r}; valid: '', document..., func:...")

    return run_js
