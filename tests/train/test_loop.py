"""End to end: the phase loop on a tiny random Llama and the toy env (SFT phase 0, then RL phases)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from mira.rollout import run_episode
from mira.train.config import TrainConfig
from mira.train.loop import sft_lr, train
from mira.train.metrics import read
from mira.train.policy import build_messages
from mira.types import Observation, Step, Task, Trajectory

from .toy_env import ToyEnv, oracle_actions

TASKS = [f"t-{i}" for i in range(4)]


class OracleAgent:
    """Writes demonstrations with the exact prompt the policy reads."""

    name = "oracle"

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        self.todo = oracle_actions(task.id)

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        a = self.todo.pop(0)
        return Step(action=a, reply=a, progress=list(traj.progress), messages=build_messages(obs, traj))


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("demos")
    for tid in TASKS:
        traj = run_episode(ToyEnv(tid), OracleAgent(), max_steps=4, out=d / f"{tid}.json")
        assert traj.success
    return d


def small(tmp: Path, **kw: object) -> TrainConfig:
    base = dict(model="tiny", tiny_hidden=32, tiny_layers=1, tiny_vocab=300, phases=2, rollouts_per_phase=4,
                max_steps=3, max_new_tokens=8, batch_size=8, critic_epochs=1, sft_epochs=2, out=str(tmp / "run"))
    base.update(kw)
    return TrainConfig(**base)  # type: ignore[arg-type]


def test_mira_two_phases_then_resume(tmp_path: Path, demos: Path) -> None:
    cfg = small(tmp_path, demos=str(demos))
    res = train(cfg, env_factory=ToyEnv, task_ids=TASKS)
    assert res.phases_done == 2 and not res.stopped
    rows = read(tmp_path / "run" / "metrics.jsonl")
    assert [r["phase"] for r in rows] == [0, 1, 2]
    assert rows[0]["sft/samples"] == 8 and rows[1]["rollout/episodes"] == 4
    assert {"loss/actor", "loss/critic", "reward/advantage_mean", "eval/success"} <= set(rows[2])
    # critic quality: in-sample every phase, on the next phase's fresh episodes from phase 2
    assert {"critic/fit_value_r", "critic/fit_potential_r", "critic/fit_potential_mse"} <= set(rows[1])
    assert {"time/rollouts_s", "time/critic_s", "time/curriculum_s", "time/actor_s"} <= set(rows[1])
    assert "time/eval_s" in rows[2] and rows[2]["time/eval_s"] <= rows[2]["time/phase_s"]
    assert "critic/fresh_value_r" not in rows[1] and {"critic/fresh_value_r", "critic/fresh_potential_mse"} <= set(rows[2])
    ckpts = tmp_path / "run" / "checkpoints"
    assert all((ckpts / f"phase-{k}" / "state.json").is_file() for k in range(3))
    assert (ckpts / "phase-2" / "critic.pt").is_file()
    rollouts = sorted((tmp_path / "run" / "phase-1" / "rollouts").glob("*.json"))
    step = json.loads(rollouts[0].read_text())["steps"][0]
    assert step["info"]["action_ids"] and step["messages"]  # the policy's own tokens were recorded
    assert (tmp_path / "run" / "curves.png").is_file()
    # resume: asking for one more phase runs only phase 3
    res = train(small(tmp_path, demos=str(demos), phases=3), env_factory=ToyEnv, task_ids=TASKS)
    assert res.phases_done == 3
    assert [r["phase"] for r in read(tmp_path / "run" / "metrics.jsonl")] == [0, 1, 2, 3]


def test_sft_algorithm_trains_phase_0_only(tmp_path: Path, demos: Path) -> None:
    cfg = small(tmp_path, algo="sft", demos=str(demos), sft_epochs=3, sft_lr=1e-2, sft_final_lr=1e-3, sft_eval_every=2,
                eval_tasks=2)
    res = train(cfg, env_factory=ToyEnv, task_ids=TASKS, evaluate_each_phase=False)
    assert res.phases_done == 0
    assert [r["phase"] for r in read(tmp_path / "run" / "metrics.jsonl")] == [0]
    epochs = read(tmp_path / "run" / "sft_epochs.jsonl")  # one line per epoch, the lr decaying by a cosine
    assert [e["sft_epoch"] for e in epochs] == [1, 2, 3]
    assert [e["lr"] for e in epochs] == pytest.approx([1e-2, 5.5e-3, 1e-3])
    assert "eval/success" in epochs[1] and "eval/success" not in epochs[0]  # every 2nd epoch, not the last
    assert (tmp_path / "run" / "eval" / "sft-epoch-2" / "summary.json").is_file()


def test_pretrained_potential_critic_ships_with_sft_and_starts_rl(tmp_path: Path, demos: Path) -> None:
    sft = small(tmp_path, algo="sft", demos=str(demos), sft_epochs=1, critic_pretrain_epochs=2)
    train(sft, env_factory=ToyEnv, task_ids=TASKS, evaluate_each_phase=False)
    row = read(tmp_path / "run" / "metrics.jsonl")[0]
    assert row["critic/pretrain_loss"] > 0 and "critic/pretrain_potential_r" in row and "time/critic_pretrain_s" in row
    ckpt = tmp_path / "run" / "checkpoints" / "phase-0"
    assert (ckpt / "critic.pt").is_file()
    # an RL run from that policy folder starts from its critic: phase 1 already measures it on fresh episodes
    rl = small(tmp_path, model=f"tiny:{ckpt / 'policy'}", phases=1, out=str(tmp_path / "rl"))
    train(rl, env_factory=ToyEnv, task_ids=TASKS, evaluate_each_phase=False)
    assert "critic/fresh_potential_r" in read(tmp_path / "rl" / "metrics.jsonl")[-1]
    # only the critic: sft_epochs=0 keeps the policy as loaded
    again = small(tmp_path, model=f"tiny:{ckpt / 'policy'}", algo="sft", demos=str(demos), sft_epochs=0,
                  critic_pretrain_epochs=1, out=str(tmp_path / "critic-only"))
    train(again, env_factory=ToyEnv, task_ids=TASKS, evaluate_each_phase=False)
    row = read(tmp_path / "critic-only" / "metrics.jsonl")[0]
    assert "loss/sft" not in row and row["critic/pretrain_loss"] > 0


def test_sft_lr_is_constant_without_a_final_lr() -> None:
    assert [sft_lr(TrainConfig(sft_lr=0.1, sft_epochs=4), e) for e in (1, 4)] == [0.1, 0.1]


@pytest.mark.parametrize("algo", ["webrl", "awr", "filtered-bc"])
def test_each_algorithm_runs_a_phase(tmp_path: Path, algo: str) -> None:
    res = train(small(tmp_path, algo=algo, phases=1), env_factory=ToyEnv, task_ids=TASKS, evaluate_each_phase=False)
    assert res.phases_done == 1
    row = read(tmp_path / "run" / "metrics.jsonl")[-1]
    assert row["phase"] == 1 and "loss/actor" in row
    assert ("loss/critic" in row) == (algo != "filtered-bc")


def test_exploding_loss_stops_and_keeps_last_checkpoint(tmp_path: Path, demos: Path) -> None:
    res = train(small(tmp_path, demos=str(demos), max_loss=1e-9, sft_epochs=1), env_factory=ToyEnv, task_ids=TASKS)
    assert res.phases_done == -1 and "phase 0 stopped" in res.stopped
    res = train(small(tmp_path, max_loss=1e-9), env_factory=ToyEnv, task_ids=TASKS, evaluate_each_phase=False)
    assert "phase 1 stopped" in res.stopped and "phase 0" in res.stopped
    assert (tmp_path / "run" / "checkpoints" / "phase-0" / "state.json").is_file()
    assert not (tmp_path / "run" / "checkpoints" / "phase-1").exists()


def test_bad_input_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config.json"):
        train(small(tmp_path, model="hf:/nonexistent"), env_factory=ToyEnv, task_ids=TASKS)
    with pytest.raises(FileNotFoundError, match="demos"):
        train(small(tmp_path, demos=str(tmp_path / "nope")), env_factory=ToyEnv, task_ids=TASKS)
    with pytest.raises(ValueError, match="unknown algorithm"):
        train(small(tmp_path, algo="ppo"), env_factory=ToyEnv, task_ids=TASKS)
    with pytest.raises(ValueError, match="demos=DIR"):
        train(small(tmp_path, algo="sft"), env_factory=ToyEnv, task_ids=TASKS)
    with pytest.raises(ValueError, match="curriculum_share is a share of each phase's rollouts: 0..1, got 1.5"):
        train(small(tmp_path, curriculum_share=1.5), env_factory=ToyEnv, task_ids=TASKS)
    with pytest.raises(ValueError, match="unknown suite"):
        train(small(tmp_path, suite="nosuch"))
    with pytest.raises(ValueError, match="device 'tpu'; valid: cpu, cuda, cuda:N, auto"):
        train(small(tmp_path, device="tpu"), env_factory=ToyEnv, task_ids=TASKS)
    assert not (tmp_path / "run").exists()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("policy", ["scored", "generate"])
def test_a_run_trains_on_the_gpu_and_resumes_on_the_cpu(tmp_path: Path, demos: Path, policy: str) -> None:
    cfg = small(tmp_path, demos=str(demos), policy=policy, phases=1, device="cuda", critic_pretrain_epochs=1)
    assert train(cfg, env_factory=ToyEnv, task_ids=TASKS).phases_done == 1
    rows = read(tmp_path / "run" / "metrics.jsonl")
    assert math.isfinite(rows[1]["loss/actor"]) and math.isfinite(rows[1]["loss/critic"])
    # its checkpoints (policy and critic.pt) load where no GPU is asked for
    res = train(small(tmp_path, demos=str(demos), policy=policy, phases=2, critic_pretrain_epochs=1),
                env_factory=ToyEnv, task_ids=TASKS)
    assert res.phases_done == 2 and [r["phase"] for r in read(tmp_path / "run" / "metrics.jsonl")] == [0, 1, 2]


def test_curriculum_probes_new_variants_of_failed_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    import mira.train.phase as phase
    from mira.train.algorithms import get_algorithm
    from mira.train.loop import Run
    from mira.train.models import Critic, TinySpec, build_tiny, train_tokenizer
    from mira.train.phase import curriculum, initial_values

    tok = train_tokenizer([f"click [{i}] stop [done] type [{i}] [q] Goal task" for i in range(30)], 300)
    model = build_tiny(tok, TinySpec(hidden=32, layers=1, heads=2), seed=0)
    cfg = small(tmp_path, rollouts_per_phase=2)
    run = Run(cfg, get_algorithm("mira"), ToyEnv, TASKS, model, tok, critic=Critic(model, 1), out=tmp_path,
              rng=random.Random(0), families={"t-0": "A", "t-1": "A", "t-2": "B", "t-3": "B"})
    v0 = initial_values(run, ["t-1", "t-3"])
    assert set(v0) == {"t-1", "t-3"} and all(0.0 < v < 1.0 for v in v0.values())
    failed = run.rollout("t-0", 0, None, 1.0, max_steps=1)  # cut after one step: a failure
    assert not failed.success
    probed: list[list[str]] = []

    def spy(r: Run, ids: list[str]) -> dict[str, float]:
        probed.append(list(ids))
        return initial_values(r, ids)

    monkeypatch.setattr(phase, "initial_values", spy)
    picked = curriculum(run, [failed], [], [])
    assert probed == [["t-1"]]  # t-0 failed: its family's other task is the new variant, probed for V(s_0)
    assert len(picked) == 2 and set(picked) <= set(TASKS)


def test_arena_tasks_group_by_intent_template() -> None:
    from mira.train.loop import task_families
    from mira.train.replay import variants

    ids = [str(i) for i in range(120)]
    fam = task_families("arena", ids)
    assert set(fam) == set(ids)
    same = [k for k in ids if fam[k] == fam["0"] and k != "0"]
    assert same and variants(["0"], fam, set()) == same  # the template's other instances
    assert variants(["0"], fam, set(same[1:])) == same[:1]  # tasks already valued are left out


def test_resume_refuses_a_folder_of_other_settings(tmp_path: Path, demos: Path) -> None:
    train(small(tmp_path, algo="sft", demos=str(demos), sft_epochs=1), env_factory=ToyEnv, task_ids=TASKS,
          evaluate_each_phase=False)
    with pytest.raises(ValueError, match=r"other settings \(sft_lr: 0.001 -> 0.5\).*another out="):
        train(small(tmp_path, algo="sft", demos=str(demos), sft_epochs=1, sft_lr=0.5), env_factory=ToyEnv,
              task_ids=TASKS)
    assert (tmp_path / "run" / "checkpoints" / "phase-0" / "state.json").is_file()  # nothing was touched
