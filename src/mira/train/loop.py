"""The phase loop: SFT on demonstrations, then RL phases (rollouts -> critics -> targets -> actor), resumable.

Run folder (`cfg.out`): config.yaml, metrics.jsonl (a line per phase), sft_epochs.jsonl, curves.png,
phase-K/rollouts/*.json, eval/{phase-K, sft-epoch-K}/ and checkpoints/phase-K/{policy/, critic.pt, state.json};
state.json is written last, so a checkpoint without it is unfinished and ignored on resume.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml
from tqdm import tqdm

from mira.env.actions import describe_actions
from mira.rollout import load_trajectory, run_episode
from mira.train import metrics
from mira.train.algorithms import Algorithm, resolve
from mira.train.batch import Sample, trajectory_samples
from mira.train.config import TrainConfig
from mira.train.evaluate import evaluate_policy
from mira.train.models import (
    Critic,
    TinySpec,
    build_tiny,
    load_pretrained,
    resolve_device,
    resolve_model_path,
    save_policy,
    train_tokenizer,
)
from mira.train.phase import critic_quality, rl_phase
from mira.train.policy import PolicyAgent, PromptTeacher
from mira.train.replay import ReplayBuffer
from mira.train.scored import ScoredAgent, ScoredTeacher
from mira.train.update import (
    LossExploded,
    actor_update,
    critic_predict,
    fit_critic,
    label_progress,
    make_optimiser,
    trainable,
)
from mira.types import Agent, Env, Trajectory

log = logging.getLogger(__name__)
EnvFactory = Callable[[str], Env]


@dataclass
class TrainResult:
    """What a run did."""

    out: Path
    phases_done: int
    stopped: str = ""
    """Why the run stopped early (a bad loss), empty if it finished."""


@dataclass
class Run:
    """The live state of a run: everything a phase needs."""

    cfg: TrainConfig
    algo: Algorithm
    env_factory: EnvFactory
    task_ids: list[str]
    model: Any
    tok: Any
    critic: Critic | None = None
    out: Path = Path(".")
    rng: random.Random = dataclasses.field(default_factory=random.Random)
    replay: ReplayBuffer = dataclasses.field(default_factory=ReplayBuffer)
    next_tasks: list[str] = dataclasses.field(default_factory=list)
    """The curriculum's pick for the next phase (empty: cycle through task_ids)."""
    families: dict[str, str] = dataclasses.field(default_factory=dict)
    """Training task -> its family (intent template): the curriculum's variants of a failed task."""

    def agent(self, temperature: float) -> Agent:
        c = self.cfg
        if c.policy == "scored":
            return ScoredAgent(self.model, self.tok, temperature=temperature, max_prompt_tokens=c.max_prompt_tokens,
                               history=c.history, seed=self.rng.randrange(2**31))
        return PolicyAgent(self.model, self.tok, temperature=temperature, max_new_tokens=c.max_new_tokens,
                           max_prompt_tokens=c.max_prompt_tokens, history=c.history)

    def rollout(self, task_id: str, seed: int, folder: Path | None, temperature: float,
                max_steps: int = 0) -> Trajectory:
        out = folder / f"{task_id.replace('/', '_')}-{seed}.json" if folder else None
        with self.env_factory(task_id) as env:
            return run_episode(env, self.agent(temperature), max_steps=max_steps or self.cfg.max_steps, seed=seed,
                               out=out)


def preflight(cfg: TrainConfig, env_factory: EnvFactory | None,
              task_ids: list[str] | None) -> tuple[EnvFactory, list[str], list[str]]:
    """Every check that can fail, before any work: algorithm, model path, demos, suite, tasks.

    Returns the env factory, the training task ids and the evaluation task ids."""
    eval_ids: list[str] = []
    algo, _ = resolve(cfg)
    if not algo.rl_phases and not cfg.demos:
        raise ValueError(f"algo {cfg.algo!r} trains on demonstrations only: set demos=DIR (trajectory JSON files)")
    resolve_model_path(cfg.model)
    resolve_device(cfg.device)
    if cfg.policy not in POLICIES:
        raise ValueError(f"policy {cfg.policy!r}; valid: {', '.join(POLICIES)}")
    if cfg.demos == "oracle" and cfg.suite != "arena":
        raise ValueError(f"demos=oracle needs the arena's oracle; suite is {cfg.suite!r} (give a folder of trajectories)")
    if cfg.demos not in ("", "oracle") and not Path(cfg.demos).is_dir():
        raise FileNotFoundError(f"demos folder {cfg.demos!r} does not exist")
    if not 0.0 <= cfg.curriculum_share <= 1.0:
        raise ValueError(f"curriculum_share is a share of each phase's rollouts: 0..1, got {cfg.curriculum_share}")
    if cfg.browserless and cfg.suite != "arena":
        raise ValueError(f"browserless=true is an arena option; suite is {cfg.suite!r}")
    if env_factory is None:
        from mira.env import get_suite, make_env

        suite = get_suite(cfg.suite)
        avail = suite.availability()
        if not avail.ok:
            raise RuntimeError(f"suite {cfg.suite!r} cannot run here: {avail.reason}")
        task_ids = task_ids or list(cfg.tasks) or suite.task_ids(cfg.split)
        eval_ids = suite.task_ids(cfg.eval_split) if cfg.eval_split else []
        options = {"browserless": True} if cfg.browserless else {}
        env_factory = lambda tid: make_env(f"{cfg.suite}/{tid}", **options)  # noqa: E731
    if not task_ids:
        raise ValueError(f"no tasks to train on (suite {cfg.suite!r}, split {cfg.split!r}, tasks {cfg.tasks!r})")
    return env_factory, list(task_ids), (eval_ids or list(task_ids))[:cfg.eval_tasks]


POLICIES = ("generate", "scored")


def task_families(suite: str, task_ids: list[str]) -> dict[str, str]:
    """Training task -> its intent template (WebArena-format tasks name one); a task without one has no family."""
    from mira.env import get_suite

    tasks = get_suite(suite)
    out: dict[str, str] = {}
    for tid in task_ids:
        if (family := (tasks.load_task(tid).config or {}).get("intent_template_id")) is not None:
            out[tid] = str(family)
    return out


def load_demos(cfg: TrainConfig, env_factory: EnvFactory, task_ids: list[str]) -> list[Trajectory]:
    """The SFT demonstrations: a folder's trajectories, or the oracle's on the training tasks (recorded once)."""
    if cfg.demos != "oracle":
        return [load_trajectory(p) for p in sorted(Path(cfg.demos).glob("**/*.json"))] if cfg.demos else []
    folder = Path(cfg.out) / "demos"
    if not (folder / "done").is_file():
        record_oracle(cfg, env_factory, task_ids, folder)
    return [load_trajectory(p) for p in sorted(folder.glob("*.json"))]


def record_oracle(cfg: TrainConfig, env_factory: EnvFactory, task_ids: list[str], folder: Path) -> None:
    """The arena oracle on every training task, its steps recorded with the policy's prompts."""
    from mira.arena.oracle import OracleAgent

    folder.mkdir(parents=True, exist_ok=True)
    for tid in tqdm(task_ids, desc="oracle demos", disable=None):
        teacher = ScoredTeacher(OracleAgent(), cfg.history) if cfg.policy == "scored" else PromptTeacher(OracleAgent(), cfg.history)
        with env_factory(tid) as env:
            run_episode(env, teacher, max_steps=60, seed=cfg.seed, out=folder / f"{tid.replace('/', '_')}.json")
    (folder / "done").write_text(str(len(task_ids)))


def tokenizer_texts(cfg: TrainConfig, env_factory: EnvFactory, task_ids: list[str], demos: list[Trajectory]) -> list[str]:
    """What `tiny`'s tokenizer learns from: the demonstrations' prompts and replies, the tasks' first pages."""
    texts = [describe_actions()]
    for t in demos:
        texts += [m["content"] for s in t.steps for m in s.messages] + [s.reply for s in t.steps]
        texts += [h for s in t.steps for h, _ in s.info.get("scored", {}).get("heads", [])]
    for tid in task_ids[:20]:  # a few first pages: every env reset may start a browser
        with env_factory(tid) as env:
            obs = env.reset(seed=cfg.seed)
            texts += [obs.text, obs.goal or env.task.goal]
    return texts


def build_policy(cfg: TrainConfig, env_factory: EnvFactory, task_ids: list[str], demos: list[Trajectory]) -> tuple[Any, Any]:
    path = resolve_model_path(cfg.model)
    if path is not None:
        return load_pretrained(path, cfg.lora_r, cfg.gradient_checkpointing)
    tok = train_tokenizer(tokenizer_texts(cfg, env_factory, task_ids, demos), cfg.tiny_vocab)
    spec = TinySpec(vocab_size=cfg.tiny_vocab, hidden=cfg.tiny_hidden, layers=cfg.tiny_layers,
                    max_positions=max(1024, cfg.max_prompt_tokens + cfg.max_new_tokens))
    return build_tiny(tok, spec, cfg.seed), tok


def last_checkpoint(out: Path) -> tuple[int, Path] | None:
    done = sorted((int(p.parent.name.split("-")[1]), p.parent) for p in (out / "checkpoints").glob("phase-*/state.json"))
    return done[-1] if done else None


def save_checkpoint(run: Run, phase: int, record: dict[str, Any]) -> Path:
    final = run.out / "checkpoints" / f"phase-{phase}"
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save_policy(run.model, run.tok, tmp / "policy")
    if run.critic is not None:
        torch.save(run.critic.state_dict(), tmp / "critic.pt")
    (tmp / "state.json").write_text(json.dumps({"phase": phase, **record}))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


def sft_lr(cfg: TrainConfig, epoch: int) -> float:
    """Epoch `epoch`'s (1-based) learning rate: constant, or cosine from sft_lr down to sft_final_lr at the last."""
    if cfg.sft_final_lr < 0 or cfg.sft_epochs <= 1:
        return cfg.sft_lr
    frac = (epoch - 1) / (cfg.sft_epochs - 1)
    return cfg.sft_final_lr + (cfg.sft_lr - cfg.sft_final_lr) * 0.5 * (1 + math.cos(math.pi * frac))


def sft_phase(run: Run, demos: list[Trajectory], eval_ids: list[str]) -> dict[str, Any]:
    """Phase 0: NLL on the demonstrations' actions, epoch by epoch with one optimiser; each epoch is a line of
    out/sft_epochs.jsonl (with an evaluation every `sft_eval_every` epochs)."""
    cfg = run.cfg
    samples: list[Sample] = []
    for i, t in enumerate(demos):
        samples += trajectory_samples(t, run.tok, i, cfg.max_prompt_tokens)
    if not samples:
        raise ValueError(f"no trainable steps in {cfg.demos!r} (steps need messages and a reply)")
    gen = torch.Generator().manual_seed(cfg.seed)
    nll = dataclasses.replace(run.algo, actor_loss="nll")
    opt = make_optimiser(trainable(run.model), cfg.sft_lr)
    (run.out / "sft_epochs.jsonl").unlink(missing_ok=True)  # an interrupted SFT restarts from its first epoch
    for epoch in tqdm(range(1, cfg.sft_epochs + 1), desc="sft epochs", disable=None):
        lr = sft_lr(cfg, epoch)
        for group in opt.param_groups:
            group["lr"] = lr
        t0 = time.perf_counter()
        m = actor_update(run.model, samples, nll, run.tok.pad_token_id, cfg, gen, lr=opt, epochs=1)
        line = {"sft_epoch": epoch, "loss/sft": m["loss/actor"], "lr": lr, "time/epoch_s": round(time.perf_counter() - t0, 1)}
        if cfg.sft_eval_every and epoch % cfg.sft_eval_every == 0 and epoch < cfg.sft_epochs:
            line.update(evaluate(run, eval_ids, f"sft-epoch-{epoch}"))
        metrics.append(run.out / "sft_epochs.jsonl", line)
        log.info("sft epoch %d: %s", epoch, line)
    record: dict[str, Any] = {"sft/samples": len(samples), "sft/demos": len(demos)}
    if cfg.sft_epochs > 0:  # 0: the policy stays as loaded (e.g. only the critic is pre-trained)
        record["loss/sft"] = m["loss/actor"]
    if cfg.critic_pretrain_epochs > 0:
        with metrics.timed(record, "time/critic_pretrain_s"):
            record.update(pretrain_potential(run, demos, samples, gen))
    return record


def pretrain_potential(run: Run, demos: list[Trajectory], samples: list[Sample], gen: torch.Generator) -> dict[str, float]:
    """The potential critic P fitted to the demonstrations' progress labels (V untouched: demos all succeed)."""
    label_progress(demos, samples)
    run.critic = Critic(run.model, run.cfg.critic_trainable_layers)
    algo = dataclasses.replace(run.algo, potential_critic=True)
    loss = fit_critic(run.critic, samples, algo, run.tok.pad_token_id, run.cfg, gen, run.cfg.critic_pretrain_epochs,
                      value=False)
    quality = critic_quality(samples, *critic_predict(run.critic, samples, run.tok.pad_token_id, run.cfg.batch_size),
                             "pretrain")
    return {"critic/pretrain_loss": loss["loss/critic"]} | {k: v for k, v in quality.items() if "potential" in k}


def starting_critic(cfg: TrainConfig, model: Any) -> Critic | None:
    """The critics an RL run starts from: critic.pt beside the `model` folder (a pre-trained P), if there is one."""
    path = resolve_model_path(cfg.model)
    file = path.parent / "critic.pt" if path is not None else None
    if file is None or not file.is_file():
        return None
    critic = Critic(model, cfg.critic_trainable_layers)
    critic.load_state_dict(torch.load(file, map_location="cpu"))  # into the critic's device, whichever
    log.info("critics start from %s", file)
    return critic


def evaluate(run: Run, tids: list[str], phase: int | str) -> dict[str, float]:
    """One greedy episode per task, saved as an eval run (out/eval/phase-K, or out/eval/NAME for a str):
    eval/success, eval/progress."""
    if not tids:
        return {}
    c = run.cfg
    name = phase if isinstance(phase, str) else f"phase-{phase}"
    settings = {"split": c.eval_split or c.split, "agent": c.policy, "agent_kwargs": {"llm": name},
                "env_options": {"browserless": True} if c.browserless else {}}
    summary = evaluate_policy(lambda: run.agent(0.0), run.env_factory, tids, run.out / "eval" / name,
                              suite=c.suite, max_steps=c.max_steps, settings=settings)
    return {"eval/success": summary["success_rate"], "eval/progress": summary["milestones_reached"] or 0.0}


def train(cfg: TrainConfig, *, env_factory: EnvFactory | None = None, task_ids: list[str] | None = None,
          evaluate_each_phase: bool = True, eval_ids: list[str] | None = None,
          evaluate_start: bool = True) -> TrainResult:
    """Run (or resume) `cfg`; returns where it stands. Errors in input surface before any training.

    `eval_ids` replaces the evaluation tasks (cfg.eval_split's first cfg.eval_tasks) by these. Without demos,
    phase 0 only evaluates the starting model; `evaluate_start=False` skips it (its caller evaluates it once)."""
    own_envs = env_factory is not None
    env_factory, task_ids, default_eval = preflight(cfg, env_factory, task_ids)
    eval_ids = default_eval if eval_ids is None else eval_ids
    algo, settings = resolve(cfg)
    out = Path(cfg.out)
    check_resumable(out, cfg)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False))
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    demos = load_demos(cfg, env_factory, task_ids)
    resume = last_checkpoint(out)
    if resume:
        model, tok = load_pretrained(resume[1] / "policy", cfg.lora_r, cfg.gradient_checkpointing)
        start = resume[0] + 1
        log.warning("resuming %s after phase %d", out, resume[0])
    else:
        torch.manual_seed(cfg.seed)
        model, tok = build_policy(cfg, env_factory, task_ids, demos)
        start = 0
    model.to(resolve_device(cfg.device))
    run = Run(cfg, algo, env_factory, task_ids, model, tok, out=out, rng=random.Random(cfg.seed + start),
              families={} if own_envs else task_families(cfg.suite, task_ids))
    if resume:
        _restore(run, resume[1], start)
    elif algo.value_critic:
        run.critic = starting_critic(cfg, model)
    last = cfg.phases if algo.rl_phases else 0
    for phase in range(start, last + 1):
        if phase == 0 and not demos and not evaluate_start:
            continue
        t0 = time.perf_counter()
        try:
            record = sft_phase(run, demos, eval_ids) if phase == 0 and demos else {}
            if phase > 0:
                record = rl_phase(run, phase, settings, tqdm(total=cfg.rollouts_per_phase, desc=f"phase {phase}", disable=None))
        except LossExploded as e:
            msg = f"phase {phase} stopped: {e}; kept the last good checkpoint (phase {phase - 1})"
            log.error(msg)
            metrics.append(out / "metrics.jsonl", {"phase": phase, "stopped": msg})
            return TrainResult(out, phase - 1, stopped=msg)
        if evaluate_each_phase and (phase % max(1, cfg.eval_every) == 0 or phase == last):
            with metrics.timed(record, "time/eval_s"):
                record.update(evaluate(run, eval_ids, phase))
        record.update({"phase": phase, "time/phase_s": round(time.perf_counter() - t0, 2)})
        save_checkpoint(run, phase, record)
        metrics.append(out / "metrics.jsonl", record)
        metrics.plot_curves(out / "metrics.jsonl", out / "curves.png")
        log.info("phase %d: %s", phase, record)
    return TrainResult(out, last)


RESUME_MAY_CHANGE = frozenset({"phases", "threads", "device", "eval_tasks", "eval_every", "out"})
"""Settings a resumed run may change; any other change would mix two runs in one folder."""


def check_resumable(out: Path, cfg: TrainConfig) -> None:
    """A folder with finished phases resumes only under the same settings (bar RESUME_MAY_CHANGE)."""
    saved = out / "config.yaml"
    if last_checkpoint(out) is None or not saved.is_file():
        return
    old = yaml.safe_load(saved.read_text()) or {}
    new = yaml.safe_load(yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False))
    changed = sorted(k for k in new if k not in RESUME_MAY_CHANGE and old.get(k) != new[k])
    if changed:
        diff = "; ".join(f"{k}: {old.get(k)!r} -> {new[k]!r}" for k in changed)
        raise ValueError(f"{out} holds a run with other settings ({diff}); a run resumes only with the same ones "
                         f"(these may change: {', '.join(sorted(RESUME_MAY_CHANGE))}). Use another out= or move it away.")


def _restore(run: Run, ckpt: Path, start: int) -> None:
    """After a resume: the critic from its checkpoint, the replay buffer from the finished phases' rollouts."""
    if (ckpt / "critic.pt").is_file():
        run.critic = Critic(run.model, run.cfg.critic_trainable_layers)
        run.critic.load_state_dict(torch.load(ckpt / "critic.pt", map_location="cpu"))
    run.replay.add(previous_rollouts(run.out, start))


def previous_rollouts(out: Path, before: int) -> list[Trajectory]:
    """Successful rollouts of finished phases (the replay buffer's content after a resume)."""
    trajs = []
    for k in range(1, before):
        trajs += [load_trajectory(p) for p in sorted((out / f"phase-{k}" / "rollouts").glob("*.json"))]
    return [t for t in trajs if t.success]


