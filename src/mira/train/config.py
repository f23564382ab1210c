"""TrainConfig: every setting of `mira train`, presets as YAML files in configs/, overrides as `key=value`.

Where the paper is silent (sizes, learning rates, rollouts per phase) the defaults are ours, chosen for the
tiny CPU setting; WebRL's published values are noted where they differ.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIRS = (Path(__file__).resolve().parents[3] / "configs", Path.cwd() / "configs")
"""Where presets are looked up: the source tree's configs/ (editable install), then ./configs."""


@dataclass(frozen=True)
class TrainConfig:
    """One training run."""

    model: str = "tiny"
    """Policy: `tiny` (built and tokenised here), `tiny:PATH` / `hf:PATH` (a folder), `smollm2`."""
    algo: str = "mira"
    """Algorithm: sft, filtered-bc, awr, webrl, mira (see mira.train.algorithms)."""
    suite: str = "arena"
    """Suite whose tasks are rolled out."""
    split: str = "train"
    """Split of the suite to train on."""
    tasks: tuple[str, ...] = ()
    """Explicit task ids (without the suite prefix); empty: every task of `split`."""
    eval_split: str = "test"
    """Split evaluated greedily after every phase (eval/ metrics); empty: the training tasks."""
    eval_tasks: int = 16
    """How many tasks of `eval_split` each evaluation plays (one greedy episode each); 0: no evaluation."""
    eval_every: int = 1
    """Evaluate after every this many phases (and always after the last)."""
    policy: str = "generate"
    """How the LM acts: `generate` (writes the action's text) or `scored` (chooses among the page's valid actions
    by their log-likelihood; see mira.train.scored)."""
    browserless: bool = False
    """arena only: serve pages to a Python twin of the browser (same observation text, ~30x faster steps)."""
    demos: str = ""
    """SFT demonstrations (phase 0): a folder of trajectory JSON files, or `oracle` (the arena oracle plays the
    training tasks once, recorded under out/demos); empty: no SFT phase."""
    sft_epochs: int = 3
    """Passes over the demonstrations."""
    sft_lr: float = 1e-3
    """SFT learning rate (WebRL: 1e-5 for 8B models)."""
    sft_final_lr: float = -1.0
    """Cosine-decay the SFT learning rate to this by the last epoch (per epoch, one optimiser); < 0: constant."""
    sft_eval_every: int = 0
    """Evaluate (as after a phase) after every this many SFT epochs, into out/eval/sft-epoch-K; 0: only at the end."""
    phases: int = 2
    """RL phases after SFT (the paper: 6)."""
    rollouts_per_phase: int = 16
    """Episodes sampled per RL phase."""
    max_steps: int = 10
    """Actions per episode before it is cut."""
    temperature: float = 1.0
    """Rollout sampling temperature (WebRL: 1)."""
    max_new_tokens: int = 24
    """Cap on an action's tokens."""
    max_prompt_tokens: int = 384
    """Prompts longer than this keep their last tokens."""
    history: int = 3
    """Past actions shown in the actor's prompt."""
    lr: float = 3e-4
    """Actor learning rate in RL phases (WebRL: 1e-6 for 8B models)."""
    critic_lr: float = 1e-3
    """Critic learning rate."""
    batch_size: int = 16
    """Samples (steps) per optimiser step."""
    micro_batch_size: int = 0
    """0: each optimiser step is one forward/backward of `batch_size` samples; else gradients are accumulated over
    micro-batches of this many samples (losses scaled so the step equals the full batch's), for less memory."""
    gradient_checkpointing: bool = False
    """Recompute the policy's activations in backward (`hf:`/`smollm2` policies): less memory, ~1.3x compute."""
    actor_epochs: int = 1
    """Passes over a phase's data for the actor (WebRL: 1)."""
    critic_epochs: int = 2
    """Passes over a phase's data for the critics."""
    beta: float = 1.0
    """KL strength of the regression loss (WebRL: 0.01 overfits, >= 1 works with the replay buffer)."""
    gamma: float = 0.9
    """Discount (WebRL, MiRA)."""
    lam: float = 0.5
    """Doubly-robust mixing weight (WebRL's lambda)."""
    use_potential: bool = True
    """mira only: False is the "w/o potential critic" ablation (sparse reward)."""
    actor_objective: str = ""
    """Override the algorithm's actor loss: `regression`, `kl` (the KL-objective ablation), `awr`, `nll`."""
    advantage_mode: str = "dr"
    """`dr` doubly robust; `td` the "w/o doubly-robust advantage" ablation; `mc` Monte Carlo."""
    terminal_potential: str = "zero"
    """P(s_T) at the episode's end: `zero` (Ng et al.; policy-invariant) or `last`."""
    shaping_offset: str = "raw"
    """`raw`: the shaped advantage as written (SPEC); `centred`: without its action-independent part -(1-lam*gamma)
    P(s_t), which WebRL's regression loss (unlike a policy gradient) does not ignore (mira.train.rewards)."""
    shaping_scale: float = 1.0
    """mira only: alpha in r~ = r + alpha * (gamma P(s_{t+1}) - P(s_t)), i.e. the potential alpha * P (still
    potential-based, so the optimal policy is unchanged; 0 is WebRL's sparse reward with mira's critics)."""
    value_target: str = "success"
    """What the value critic V is fitted to: the episode's `success` (WebRL), or the state's discounted `return`
    gamma^(T-1-t) * success, which the advantage's discounting assumes (mira.train.rewards.VALUE_TARGETS)."""
    potential: str = "critic"
    """mira only: the shaping's P(s_t) from the potential `critic`, or the checker's progress `label`s (exact for
    played episodes; a diagnostic of how much the critic's error costs)."""
    actor_samples: str = "all"
    """Which samples the actor's loss counts: `all` (the paper's formula), or `positive`, those with A > 0 (WebRL's
    released trainer masks its regression loss so: actions are raised, never pushed below pi_ref)."""
    awr_temperature: float = 1.0
    """AWR weights exp(A / temperature)."""
    replay_ratio: float = 2.0
    """Replayed samples at most this times the phase's new samples (WebRL: 2)."""
    ppl_low: float = 1 / 0.95
    """Replay keeps steps whose actor perplexity is >= this (WebRL: 1/0.95)."""
    ppl_high: float = 2.0
    """... and <= this (WebRL: 1/0.5)."""
    curriculum_share: float = 1.0
    """Share of each phase's rollouts that the curriculum picks (WebRL: all); the rest are training tasks in a seeded
    order, so a phase keeps some tasks the policy can already solve."""
    curriculum_low: float = 0.05
    """Curriculum keeps tasks whose V(s_0) is >= this (WebRL: 0.05)."""
    curriculum_high: float = 0.75
    """... and <= this (WebRL: 0.75)."""
    lora_r: int = 0
    """LoRA rank for `hf:`/`smollm2` policies; 0 = full fine-tuning."""
    critic_pretrain_epochs: int = 0
    """With demos: after SFT, fit the potential critic P on the demonstrations' progress labels for this many epochs
    (the paper pre-trains P before RL); saved as critic.pt beside the policy. An RL run whose `model` folder has a
    critic.pt beside it starts its critics from that file."""
    critic_trainable_layers: int = 2
    """Trunk blocks of the critic that train (-1: all)."""
    tiny_hidden: int = 128
    """`tiny`: model width."""
    tiny_layers: int = 4
    """`tiny`: transformer blocks."""
    tiny_vocab: int = 2048
    """`tiny`: tokenizer vocabulary."""
    max_grad_norm: float = 1.0
    """Gradient clipping (WebRL: 1)."""
    max_loss: float = 1e4
    """A loss above this (or NaN) stops the phase; the last good checkpoint is kept."""
    seed: int = 0
    """Seeds torch, task order and episode seeds."""
    threads: int = 0
    """torch CPU threads; 0 leaves torch's default."""
    device: str = "cpu"
    """Where the policy and critics train and act: `cpu`, `cuda` / `cuda:N` (an error before any work if torch sees
    no such GPU), or `auto` (the first GPU if there is one, else the CPU). Checkpoints load on any device."""
    out: str = "runs/train"
    """Run folder: checkpoints, rollouts, metrics.jsonl, plots. A rerun resumes from its last checkpoint."""


def field_types() -> dict[str, Any]:
    return typing.get_type_hints(TrainConfig)


def _coerce(key: str, value: Any, typ: Any) -> Any:
    """Check/convert one value to its field's type; ValueError naming the key otherwise."""
    origin = typing.get_origin(typ)
    try:
        if typ is bool:
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.lower() in ("true", "1", "yes")
            if isinstance(value, bool):
                return value
            raise TypeError
        if origin is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(x).strip() for x in items if str(x).strip())
        if typ is int and (isinstance(value, float) or isinstance(value, bool)):
            raise TypeError
        if typ is str and not isinstance(value, (str, int, float)):
            raise TypeError
        return typ(value)
    except (TypeError, ValueError):
        name = getattr(typ, "__name__", str(typ)) if not isinstance(typ, types.GenericAlias) else str(typ)
        raise ValueError(f"config key {key!r} expects {name}, got {value!r}") from None


def make_config(values: dict[str, Any], base: TrainConfig | None = None) -> TrainConfig:
    """`base` (defaults) with `values` applied; unknown keys and wrong types raise ValueError naming them."""
    hints = field_types()
    unknown = sorted(set(values) - set(hints))
    if unknown:
        raise ValueError(f"unknown config key(s) {', '.join(unknown)}; valid keys: {', '.join(hints)}")
    coerced = {k: _coerce(k, v, hints[k]) for k, v in values.items()}
    return dataclasses.replace(base or TrainConfig(), **coerced)


def parse_overrides(items: list[str]) -> dict[str, str]:
    """`["lr=1e-4", "phases=3"]` -> {"lr": "1e-4", "phases": "3"} (types are checked by make_config)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"override {item!r} is not key=value; valid keys: {', '.join(field_types())}")
        out[key.strip()] = value.strip()
    return out


def presets() -> dict[str, Path]:
    """Preset name -> YAML file, from CONFIG_DIRS."""
    found: dict[str, Path] = {}
    for d in CONFIG_DIRS:
        for p in sorted(d.glob("*.yaml")) if d.is_dir() else []:
            found.setdefault(p.stem, p)
    return found


def load_config(name_or_file: str, overrides: list[str] | None = None) -> TrainConfig:
    """A preset name or a YAML file, then `key=value` overrides."""
    path = Path(name_or_file)
    if not path.is_file():
        known = presets()
        if name_or_file not in known:
            raise FileNotFoundError(f"no config file or preset {name_or_file!r}; presets: {', '.join(known) or 'none'}")
        path = known[name_or_file]
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a config is a mapping of key: value")
    cfg = make_config(data)
    return make_config(parse_overrides(overrides or []), cfg)
