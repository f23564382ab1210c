"""Step and reset latency of mira's MiniWoB env against BrowserGym's, side by side in one run.

    .venv/bin/python benchmarks/bench_env_step.py --episodes 3 --steps 3 --out runs/bench_env_step.json

Per task and episode, every env is reset with the same seed and then takes the same kind of actions:
step i acts on the i-th interactive element of its own observation (type text into a textbox, click
anything else), resetting when the episode ends. A step's latency is the whole `env.step` (the action
and the new observation); reset's is `env.reset`. The envs run interleaved (episode by episode) so
they share the machine's load. BrowserGym runs at its defaults and at its fastest settings
(pre_observation_delay=0, slow_mo=0), on /usr/bin/chromium, with the href="#" fix; both patches live
here only (see /work/shared/research/envs.md section 3).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mira.env.browser import CHROMIUM_FLAGS, chromium_executable
from mira.env.miniwob import MiniWobSuite, miniwob_html_dir

TASKS = ["click-test", "click-button", "enter-text", "click-checkboxes", "search-engine", "click-link", "focus-text"]
INTERACTIVE = re.compile(r"^\s*\[([^\]]+)\] (button|link|checkbox|radio|textbox|searchbox|combobox)\b", re.M)


def interactive(text: str) -> list[tuple[str, str]]:
    """(id, role) of the interactive nodes of an axtree text (mira's and BrowserGym's share the format)."""
    return INTERACTIVE.findall(text)


class Runner:
    """One env behind a uniform reset/step(i) interface; records latencies."""

    def __init__(self, name: str, reset: Callable[[int], str], act: Callable[[str, str], tuple[str, bool]],
                 close: Callable[[], None]) -> None:
        self.name, self._reset, self._act, self.close = name, reset, act, close
        self.resets: list[float] = []
        self.steps: list[float] = []
        self.text = ""

    def episode(self, seed: int, n_steps: int) -> None:
        t = time.perf_counter()
        self.text = self._reset(seed)
        self.resets.append(time.perf_counter() - t)
        for i in range(n_steps):
            nodes = interactive(self.text)
            if not nodes:
                break
            node_id, role = nodes[i % len(nodes)]
            t = time.perf_counter()
            self.text, done = self._act(node_id, role)
            self.steps.append(time.perf_counter() - t)
            if done:
                self.text = self._reset(seed)


def mira_runner(task: str, screenshots: bool) -> Runner:
    env = MiniWobSuite().make_env(task, screenshots=screenshots)

    def act(node_id: str, role: str) -> tuple[str, bool]:
        action = f"type [{node_id}] [hello] [0]" if role in ("textbox", "searchbox") else f"click [{node_id}]"
        res = env.step(action)
        return res.obs.text, res.terminated

    return Runner("mira+screenshots" if screenshots else "mira", lambda s: env.reset(seed=s).text, act, env.close)


def patch_browsergym() -> None:
    """System Chromium for both of BrowserGym's browsers, and the href="#" validation fix."""
    import playwright.sync_api as pws
    from browsergym.miniwob.base import AbstractMiniwobTask

    launch = pws.BrowserType.launch

    def _launch(self: Any, **kw: Any) -> Any:
        kw.setdefault("executable_path", chromium_executable())
        kw["args"] = list(kw.get("args") or []) + list(CHROMIUM_FLAGS)
        return launch(self, **kw)

    validate = AbstractMiniwobTask.validate

    def _validate(self: Any, page: Any, chat_messages: list[str]) -> Any:
        if page == self.page and page.url != self.url and page.url.split("#")[0] == self.url:
            info = self._get_info()
            return float(info["RAW_REWARD_GLOBAL"] > 0), info["DONE_GLOBAL"], "", info
        return validate(self, page, chat_messages)

    pws.BrowserType.launch = _launch  # type: ignore[method-assign]
    AbstractMiniwobTask.validate = _validate  # type: ignore[method-assign]


def browsergym_runner(task: str, fastest: bool) -> Runner:
    import browsergym.miniwob  # noqa: F401  (registers the gym ids)
    import gymnasium as gym
    from browsergym.utils.obs import flatten_axtree_to_str

    kwargs = {"pre_observation_delay": 0.0, "slow_mo": 0} if fastest else {}
    env = gym.make(f"browsergym/miniwob.{task}", **kwargs)

    def reset(seed: int) -> str:
        obs, _ = env.reset(seed=seed)
        return str(flatten_axtree_to_str(obs["axtree_object"]))

    def act(node_id: str, role: str) -> tuple[str, bool]:
        action = f"fill('{node_id}', 'hello')" if role in ("textbox", "searchbox") else f"click('{node_id}')"
        obs, _, terminated, truncated, _ = env.step(action)
        return str(flatten_axtree_to_str(obs["axtree_object"])), bool(terminated or truncated)

    return Runner("browsergym-fastest" if fastest else "browsergym-default", reset, act, env.close)


def stats(xs: list[float]) -> dict[str, float]:
    if not xs:
        return {"n": 0, "median_ms": float("nan"), "p95_ms": float("nan")}
    ordered = sorted(xs)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(xs), "median_ms": round(statistics.median(xs) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--tasks", nargs="+", default=TASKS)
    ap.add_argument("--episodes", type=int, default=3, help="episodes per task and env")
    ap.add_argument("--steps", type=int, default=3, help="steps per episode")
    ap.add_argument("--no-browsergym", action="store_true", help="time mira only")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    return ap.parse_args()


def run_all(args: argparse.Namespace) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, Any]]]:
    """Latencies per env over all tasks, and per-task stats."""
    # Sync Playwright allows one instance per thread, and BrowserGym starts its own: each family gets a thread.
    # Calls are submitted one at a time, so nothing runs concurrently.
    mira_thread, bgym_thread = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
    makers: list[tuple[ThreadPoolExecutor, Callable[[str], Runner]]] = [
        (mira_thread, lambda t: mira_runner(t, False)), (mira_thread, lambda t: mira_runner(t, True))]
    if not args.no_browsergym:
        patch_browsergym()
        makers += [(bgym_thread, lambda t: browsergym_runner(t, False)), (bgym_thread, lambda t: browsergym_runner(t, True))]
    results: dict[str, dict[str, list[float]]] = {}
    per_task: dict[str, dict[str, Any]] = {}
    for task in args.tasks:
        runners = [(thread, thread.submit(make, task).result()) for thread, make in makers]
        try:
            for ep in range(args.episodes):
                for thread, r in runners:
                    thread.submit(r.episode, ep, args.steps).result()
        finally:
            for thread, r in runners:
                thread.submit(r.close).result()
        for _, r in runners:
            acc = results.setdefault(r.name, {"step": [], "reset": []})
            acc["step"] += r.steps
            acc["reset"] += r.resets
            per_task.setdefault(task, {})[r.name] = {"step": stats(r.steps), "reset": stats(r.resets)}
        print(f"{task}: " + ", ".join(f"{name} step {v['step']['median_ms']} ms" for name, v in per_task[task].items()),
              flush=True)
    mira_thread.shutdown()
    bgym_thread.shutdown()
    return results, per_task


def main() -> None:
    args = parse_args()
    html = miniwob_html_dir()
    if html is None:
        raise SystemExit("the miniwob wheel is not installed (pip install miniwob==1.1.0)")
    os.environ.setdefault("MINIWOB_URL", html.as_uri() + "/")
    results, per_task = run_all(args)
    summary = {name: {k: stats(v) for k, v in acc.items()} for name, acc in results.items()}
    ratios = {f"mira/{other} {kind} median": round(summary["mira"][kind]["median_ms"] / summary[other][kind]["median_ms"], 3)
              for other in ("browsergym-default", "browsergym-fastest") if other in summary for kind in ("step", "reset")}
    print(f"\n{'env':20s} {'step median':>12s} {'step p95':>10s} {'reset median':>13s} {'reset p95':>10s}   (ms)")
    for name, s in summary.items():
        print(f"{name:20s} {s['step']['median_ms']:12.1f} {s['step']['p95_ms']:10.1f} "
              f"{s['reset']['median_ms']:13.1f} {s['reset']['p95_ms']:10.1f}   n={s['step']['n']} steps")
    for k, v in ratios.items():
        print(f"{k}: {v}")
    load = os.getloadavg()
    print(f"load average at the end (1/5/15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"tasks": args.tasks, "episodes": args.episodes, "steps": args.steps,
                                        "summary": summary, "ratios": ratios, "per_task": per_task,
                                        "loadavg": load, "cpus": os.cpu_count()}, indent=2))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
