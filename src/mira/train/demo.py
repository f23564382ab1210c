"""The demo's experiment: from one SFT checkpoint, WebRL and MiRA with the same phases, rollouts and seeds,
evaluated with the start (SFT) and the untrained model (base) on the arena's held-out test tasks.

Jobs run in worker processes (one torch thread each, `workers` at a time); every job writes an eval run folder,
so the failure analysis, heatmaps and report are the ones `mira analyze` makes.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import signal
import statistics
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import torch

from mira.train.config import TrainConfig, load_config
from mira.train.models import resolve_device

log = logging.getLogger(__name__)
METHODS = ("base", "sft", "webrl", "mira")
LONG_TASK_STEPS = 7
"""Tasks whose oracle needs at least this many actions count as long-horizon."""
START = Path(__file__).resolve().parents[3] / "checkpoints" / "tiny-arena-sft"
"""The shipped starting checkpoint (made by `mira train --preset tiny-arena-sft`)."""


@dataclass(frozen=True)
class DemoConfig:
    """One demo run."""

    out: Path = Path("runs/demo")
    """Output folder: one eval run per (method, seed), results.json, report."""
    start: Path = START
    """Folder of the starting checkpoint: policy/ (a transformers folder) and its recipe and metrics."""
    preset: str = "tiny-arena"
    """The RL preset both algorithms run with (only `algo` and `seed` differ)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Seeds of the RL runs (and of the base model's initialisation)."""
    test_tasks: int = 64
    """Held-out tasks evaluated, spread over every template of the test split (0: the whole split)."""
    phases: int = 0
    """RL phases (0: the preset's)."""
    rollouts_per_phase: int = 0
    """Episodes per phase (0: the preset's)."""
    max_steps: int = 0
    """Actions per episode (0: the preset's)."""
    workers: int = 2
    """Jobs at a time, each in its own process with one torch thread."""


def held_out_tasks(n: int) -> list[str]:
    """`n` test tasks, round-robin over the test split's templates, the templates interleaved by site (so every site
    and horizon is present even when `n` is below the number of templates)."""
    from mira.env import get_suite

    suite = get_suite("arena")
    ids = suite.task_ids("test")
    if n <= 0 or n >= len(ids):
        return ids
    by_template: dict[str, list[str]] = defaultdict(list)
    site_of: dict[str, str] = {}
    for tid in ids:
        task = suite.load_task(tid)
        key = str(task.config["intent_template_id"])
        by_template[key].append(tid)
        site_of[key] = task.site
    per_site: dict[str, list[str]] = defaultdict(list)
    for key in sorted(by_template, key=lambda k: (len(k), k)):
        per_site[site_of[key]].append(key)
    order = sorted(by_template, key=lambda k: (per_site[site_of[k]].index(k), site_of[k]))
    queues = [by_template[k] for k in order]
    picked: list[str] = []
    while len(picked) < n:
        for q in queues:
            if q and len(picked) < n:
                picked.append(q.pop(0))
    return picked


def validation_tasks(n: int) -> list[str]:
    """`n` test tasks disjoint from `held_out_tasks(n)`: the next `n` in its round-robin order. RL settings are chosen
    on these, so the demo's table is not tuned on the tasks it reports."""
    return held_out_tasks(2 * n)[n:]


def oracle_steps(task_ids: list[str]) -> dict[str, int]:
    """Actions the oracle needs per task (the task's horizon), played browserless."""
    from mira.arena.oracle import OracleAgent
    from mira.env import make_env
    from mira.rollout import run_episode

    out = {}
    for tid in task_ids:
        with make_env(f"arena/{tid}", browserless=True) as env:
            out[tid] = len(run_episode(env, OracleAgent(), max_steps=60, seed=0).steps)
    return out


def rl_config(cfg: DemoConfig, algo: str, seed: int) -> TrainConfig:
    base = load_config(cfg.preset)
    changes: dict[str, Any] = {"algo": algo, "seed": seed, "model": f"tiny:{cfg.start / 'policy'}",
                               "out": str(cfg.out / f"{algo}-s{seed}"), "threads": 1}
    changes.update({k: v for k, v in (("phases", cfg.phases), ("rollouts_per_phase", cfg.rollouts_per_phase),
                                      ("max_steps", cfg.max_steps)) if v})
    return dataclasses.replace(base, **changes)


def run_job(cfg: DemoConfig, method: str, seed: int, tasks: list[str]) -> dict[str, Any]:
    """One job in a worker process: train (webrl/mira) or build (base) a policy, and evaluate it on `tasks`."""
    from mira.train.loop import train

    torch.set_num_threads(1)
    if method in ("webrl", "mira"):
        tcfg = rl_config(cfg, method, seed)
        res = train(tcfg, eval_ids=tasks, evaluate_start=False)
        return {"method": method, "seed": seed, "eval": str(res.out / "eval" / f"phase-{res.phases_done}"),
                "curve": str(res.out / "metrics.jsonl"), "stopped": res.stopped}
    folder = cfg.out / (f"base-s{seed}" if method == "base" else "sft")
    policy = cfg.start / "policy" if method == "sft" else _base_policy(cfg.start / "policy", seed, folder / "policy")
    _evaluate_saved(policy, tasks, folder / "eval", rl_config(cfg, "webrl", seed))
    return {"method": method, "seed": seed, "eval": str(folder / "eval")}


def _base_policy(start: Path, seed: int, dest: Path) -> Path:
    """The model before SFT: the start's architecture and tokenizer, freshly initialised with `seed`."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(str(start)))
    model.save_pretrained(str(dest))
    AutoTokenizer.from_pretrained(str(start)).save_pretrained(str(dest))
    return dest


def _evaluate_saved(policy: Path, tasks: list[str], folder: Path, tcfg: TrainConfig) -> dict[str, Any]:
    from mira.env import make_env
    from mira.train.evaluate import evaluate_policy
    from mira.train.models import load_pretrained
    from mira.train.scored import ScoredAgent

    model, tok = load_pretrained(policy)
    model.eval()
    agent = lambda: ScoredAgent(model, tok, temperature=0.0, max_prompt_tokens=tcfg.max_prompt_tokens,  # noqa: E731
                                history=tcfg.history)
    shutil.rmtree(folder, ignore_errors=True)
    return evaluate_policy(agent, lambda tid: make_env(f"arena/{tid}", browserless=True), tasks, folder,
                           suite="arena", max_steps=tcfg.max_steps,
                           settings={"split": "test", "agent": "scored", "agent_kwargs": {"llm": f"tiny:{policy}"},
                                     "env_options": {"browserless": True}})


def run_jobs(cfg: DemoConfig, tasks: list[str]) -> list[dict[str, Any]]:
    """Every job of the demo, the RL runs first (they are the longest)."""
    jobs = [(m, s) for s in cfg.seeds for m in ("mira", "webrl")] + [("sft", 0)] + [("base", s) for s in cfg.seeds]
    if cfg.workers <= 1:
        return [run_job(cfg, m, s, tasks) for m, s in jobs]
    pool = ProcessPoolExecutor(cfg.workers, mp_context=get_context("spawn"), initializer=_worker_init)
    try:
        futures = [pool.submit(run_job, cfg, m, s, tasks) for m, s in jobs]
        return [f.result() for f in futures]
    except BaseException:  # SIGTERM, Ctrl-C, a failed job: stop the workers now, not after every queued job
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_init() -> None:
    """A demo worker dies with the demo (even a SIGKILLed one) and leaves Ctrl-C to it."""
    from mira.eval.worker import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def mean_std(xs: list[float]) -> dict[str, Any]:
    """Mean and spread of the runs as reported (4 decimals), so a table and a curve read from saved rates agree."""
    runs = [round(x, 4) for x in xs]
    return {"mean": round(statistics.fmean(runs), 4), "std": round(statistics.pstdev(runs), 4) if len(runs) > 1 else 0.0,
            "runs": runs}


def ensure_start(start: Path) -> Path:
    """The starting checkpoint; made with `mira train --preset tiny-arena-sft device=auto` when it is absent (minutes
    on a GPU, hours on 2 CPU cores)."""
    if (start / "policy" / "config.json").is_file():
        return start
    from mira.train.loop import last_checkpoint, train

    tcfg = load_config("tiny-arena-sft", ["device=auto"])
    log.warning("no starting checkpoint at %s: making it with `mira train --preset tiny-arena-sft device=auto` on %s "
                "(out %s)", start, resolve_device("auto"), tcfg.out)
    res = train(tcfg)
    if res.stopped:
        raise RuntimeError(f"the starting checkpoint could not be made: {res.stopped}")
    done = last_checkpoint(Path(tcfg.out))
    assert done is not None
    start.mkdir(parents=True, exist_ok=True)
    shutil.copytree(done[1] / "policy", start / "policy", dirs_exist_ok=True)
    if (done[1] / "critic.pt").is_file():  # the pre-trained potential critic both RL runs start from
        shutil.copy(done[1] / "critic.pt", start / "critic.pt")
    for name in ("config.yaml", "metrics.jsonl"):
        shutil.copy(Path(tcfg.out) / name, start / name)
    return start
