"""RL update throughput (tokens/s): mira's actor update vs TRL's GRPOTrainer on the same model and batch.

Both sides get the same model weights, the same B sequences of P prompt + A action tokens and the same AdamW;
one "update" is loss forward + backward + optimiser step on the whole batch. mira's side also runs its pi_ref
pass (a no-grad forward, as a phase does once); TRL runs with beta=0 (its default: no reference model).
Each side runs in its own process so its peak memory (ru_maxrss) is its own; rounds alternate the two.
Wall-clock and CPU-time throughputs are both reported: on a shared machine the CPU-time figure is steadier.

    .venv/bin/python benchmarks/bench_rl_update.py --model tiny            # needs the `bench` extra (trl)
    .venv/bin/python benchmarks/bench_rl_update.py --model smollm2 --batch 8 --prompt-len 256
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import torch


def build(model_spec: str, lora_r: int) -> tuple[Any, Any]:
    from mira.train.models import TinySpec, build_tiny, load_pretrained, resolve_model_path, train_tokenizer

    path = resolve_model_path(model_spec)
    if path is not None:
        return load_pretrained(path, lora_r)
    texts = [f"[{i}] link 'item {i}' click [{i}] type [{i}] [query {i}] [1] stop [done]" for i in range(400)]
    tok = train_tokenizer(texts, 2048)
    return build_tiny(tok, TinySpec(), seed=0), tok


def batch_ids(vocab: int, b: int, p: int, a: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(10, vocab, (b, p), generator=g), torch.randint(10, vocab, (b, a), generator=g)  # (B,P), (B,A)


def mira_step_fn(model: Any, tok: Any, prompts: torch.Tensor, actions: torch.Tensor) -> Any:
    from mira.train.batch import Sample, action_logprobs, collate
    from mira.train.losses import LossSettings, regression_loss

    samples = [Sample(p.tolist(), a.tolist()) for p, a in zip(prompts, actions, strict=True)]
    batch = collate(samples, tok.pad_token_id)
    adv = torch.linspace(-1, 1, len(samples))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)

    def step() -> None:
        with torch.no_grad():
            ref = action_logprobs(model, batch)  # (B,) pi_ref
        loss = regression_loss(action_logprobs(model, batch), ref, adv, torch.ones(len(samples)), LossSettings())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def trl_step_fn(model: Any, tok: Any, prompts: torch.Tensor, actions: torch.Tensor, out_dir: str,
                checkpointing: bool = True) -> Any:
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    b, a = actions.shape
    args = GRPOConfig(output_dir=out_dir, use_cpu=True, report_to="none", save_strategy="no", beta=0.0,
                      per_device_train_batch_size=b, num_generations=b, max_completion_length=a, logging_steps=1000,
                      gradient_checkpointing=checkpointing)  # TRL's default is True
    tok.padding_side = "left"
    trainer = GRPOTrainer(model=model, reward_funcs=lambda completions, **kw: [0.0] * len(completions), args=args,
                          train_dataset=Dataset.from_dict({"prompt": ["x"] * b}), processing_class=tok)
    trainer.current_gradient_accumulation_steps = 1
    inputs = {"prompt_ids": prompts, "prompt_mask": torch.ones_like(prompts), "completion_ids": actions,
              "completion_mask": torch.ones_like(actions), "advantages": torch.linspace(-1, 1, b),
              "num_items_in_batch": torch.tensor(float(b * a))}
    opt = torch.optim.AdamW([p for p in trainer.model.parameters() if p.requires_grad], lr=1e-5)
    trainer.model.train()

    def step() -> None:
        # Trainer.training_step minus _prepare_inputs (which would generate): TRL's loss, then its backward
        loss = trainer.compute_loss(trainer.model, inputs)
        trainer.accelerator.backward(loss)
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step


def worker(a: argparse.Namespace) -> dict[str, Any]:
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, tok = build(a.model, a.lora_r)
    prompts, actions = batch_ids(len(tok), a.batch, a.prompt_len, a.action_len)
    step = mira_step_fn(model, tok, prompts, actions) if a.only == "mira" else trl_step_fn(
        model, tok, prompts, actions, os.path.join(a.tmp, "trl"), not a.trl_no_checkpointing)
    for _ in range(a.warmup):
        step()
    times, cpu = [], []
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med, cpu_med = statistics.median(times), statistics.median(cpu)
    tokens = a.batch * (a.prompt_len + a.action_len)
    return {"side": a.only, "median_s": round(med, 4), "tokens_per_s": round(tokens / med, 1),
            "cpu_s": round(cpu_med, 4), "tokens_per_cpu_s": round(tokens / cpu_med, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="tiny", help="tiny, smollm2, hf:PATH")
    p.add_argument("--lora-r", type=int, default=0, help="LoRA rank for pretrained models (0: full fine-tuning)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--prompt-len", type=int, default=224, help="tokens (arena prompts: p50 ~220)")
    p.add_argument("--action-len", type=int, default=8, help="tokens (arena actions: ~7)")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2, help="alternating mira/trl rounds")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--trl-no-checkpointing", action="store_true", help="turn off TRL's default gradient checkpointing")
    p.add_argument("--only", choices=["mira", "trl"], default=None, help=argparse.SUPPRESS)
    p.add_argument("--tmp", default="/tmp/bench_rl_update", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.only:
        print(json.dumps(worker(a)))
        return
    results: dict[str, list[dict[str, Any]]] = {"mira": [], "trl": []}
    for _ in range(a.rounds):
        for side in ("mira", "trl"):
            cmd = [sys.executable, __file__, *sys.argv[1:], "--only", side]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            results[side].append(json.loads(out))
            print(out, flush=True)
    tps = {s: statistics.median(r["tokens_per_s"] for r in rs) for s, rs in results.items()}
    tpc = {s: statistics.median(r["tokens_per_cpu_s"] for r in rs) for s, rs in results.items()}
    summary = {"model": a.model, "batch": a.batch, "prompt_len": a.prompt_len, "action_len": a.action_len,
               "mira_tokens_per_s": tps["mira"], "trl_tokens_per_s": tps["trl"],
               "speedup": round(tps["mira"] / tps["trl"], 2),
               "mira_tokens_per_cpu_s": tpc["mira"], "trl_tokens_per_cpu_s": tpc["trl"],
               "speedup_cpu": round(tpc["mira"] / tpc["trl"], 2),
               "mira_peak_rss_mb": max(r["peak_rss_mb"] for r in results["mira"]),
               "trl_peak_rss_mb": max(r["peak_rss_mb"] for r in results["trl"])}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
