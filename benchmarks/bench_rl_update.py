"""RL update throughput (tokens/s): mira's actor update vs TRL's GRPOTrainer on the same model and batch.

Both sides get the same model weights, the same B sequences of P prompt + A action tokens and the same AdamW;
one "update" is loss forward + backward + optimiser step on the whole batch. mira's side also runs its pi_ref
pass (a no-grad forward, as a phase does once); TRL runs with beta=0 (its default: no reference model).
Each side runs in its own process so its peak memory (ru_maxrss) is its own; rounds alternate the two.
Wall-clock and CPU-time throughputs are both reported: on a shared machine the CPU-time figure is steadier.

    .venv/bin/python benchmarks/bench_rl_update.py --model tiny            # needs the `bench` extra (trl)
    .venv/bin/python benchmarks/bench_rl_update.py --model smollm2 --batch 8 --prompt-len 256
    # mira under 3 GB on smollm2: accumulate over micro-batches and checkpoint activations, as TRL does
    .venv/bin/python benchmarks/bench_rl_update.py --model smollm2 --batch 8 --prompt-len 256 \
        --mira-micro-batch 2 --mira-checkpointing --mmap-threshold 1048576
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


def build(model_spec: str, lora_r: int, checkpointing: bool = False) -> tuple[Any, Any]:
    from mira.train.models import (
        TinySpec,
        build_tiny,
        enable_checkpointing,
        load_pretrained,
        resolve_model_path,
        train_tokenizer,
    )

    path = resolve_model_path(model_spec)
    if path is not None:
        return load_pretrained(path, lora_r, gradient_checkpointing=checkpointing)
    texts = [f"[{i}] link 'item {i}' click [{i}] type [{i}] [query {i}] [1] stop [done]" for i in range(400)]
    tok = train_tokenizer(texts, 2048)
    model = build_tiny(tok, TinySpec(), seed=0)
    if checkpointing:
        enable_checkpointing(model)
    return model, tok


def batch_ids(vocab: int, b: int, p: int, a: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(10, vocab, (b, p), generator=g), torch.randint(10, vocab, (b, a), generator=g)  # (B,P), (B,A)


def fused_logprobs(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """action_logprobs with logit[target] - logsumexp(logits) instead of a full (B, A, V) log_softmax."""
    amask = batch["action_mask"]  # (B, A)
    a = amask.shape[1]
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                position_ids=batch["position_ids"], logits_to_keep=a + 1, use_cache=False)
    logits = out.logits[:, :a].float()  # (B, A, V)
    targets = batch["input_ids"][:, -a:]  # (B, A)
    tok_logp = logits.gather(-1, targets[..., None])[..., 0] - torch.logsumexp(logits, dim=-1)  # (B, A)
    return (tok_logp * amask).sum(-1) / amask.sum(-1).clamp_min(1.0)  # (B,)


def mira_step_fn(model: Any, tok: Any, prompts: torch.Tensor, actions: torch.Tensor, micro_batch: int = 0,
                 fused: bool = False) -> Any:
    """mira's update as a phase runs it: pi_ref pass (no grad), then update.accumulate_step (same AdamW, clipping,
    micro-batch accumulation) on the regression loss."""
    from mira.train.batch import Sample, action_logprobs, collate
    from mira.train.losses import LossSettings, regression_loss
    from mira.train.update import accumulate_step, actor_weight, make_optimiser

    logprobs = fused_logprobs if fused else action_logprobs
    samples = [Sample(p.tolist(), a.tolist()) for p, a in zip(prompts, actions, strict=True)]
    for s, adv in zip(samples, torch.linspace(-1, 1, len(samples)).tolist(), strict=True):
        s.advantage = adv
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimiser(params, lr=1e-5)
    size = micro_batch or len(samples)
    model.train()  # HF checkpointing is active only in train mode (from_pretrained leaves eval mode)

    def loss_fn(chunk: list[Any]) -> torch.Tensor:
        logp = logprobs(model, collate(chunk, tok.pad_token_id))  # (B,)
        ref, adv = torch.tensor([s.ref_logp for s in chunk]), torch.tensor([s.advantage for s in chunk])
        return regression_loss(logp, ref, adv, torch.tensor([s.weight for s in chunk]), LossSettings())

    def step() -> None:
        with torch.no_grad():  # pi_ref, in micro-batches too
            for j in range(0, len(samples), size):
                chunk = samples[j:j + size]
                for s, r in zip(chunk, logprobs(model, collate(chunk, tok.pad_token_id)).tolist(), strict=True):
                    s.ref_logp = r
        accumulate_step(opt, params, samples, loss_fn, 1.0, 1e9, micro_batch, actor_weight)

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
    def zero_reward(completions: list[Any], **kw: Any) -> list[float | None]:
        return [0.0] * len(completions)

    trainer: Any = GRPOTrainer(model=model, reward_funcs=zero_reward, args=args,
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
    mira = a.only == "mira"
    model, tok = build(a.model, a.lora_r, mira and a.mira_checkpointing)
    loaded_mb = rss_mb()
    prompts, actions = batch_ids(len(tok), a.batch, a.prompt_len, a.action_len)
    step = mira_step_fn(model, tok, prompts, actions, a.mira_micro_batch, a.mira_fused_logprobs) if mira else (
        trl_step_fn(model, tok, prompts, actions, os.path.join(a.tmp, "trl"), not a.trl_no_checkpointing))
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
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "loaded_rss_mb": loaded_mb}


def rss_mb() -> float:
    """Peak RSS so far (MB): after loading, this is the floor the update adds to."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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
    p.add_argument("--mira-micro-batch", type=int, default=0,
                   help="mira: gradient accumulation over micro-batches of this many samples (0: whole batch)")
    p.add_argument("--mira-checkpointing", action="store_true", help="mira: activation (gradient) checkpointing")
    p.add_argument("--mira-fused-logprobs", action="store_true",
                   help="mira: gather - logsumexp instead of log_softmax over the vocabulary (memory probe)")
    p.add_argument("--mmap-threshold", type=int, default=0,
                   help="both sides: glibc MALLOC_MMAP_THRESHOLD_ in bytes (e.g. 1048576), so freed large tensors "
                        "go back to the OS instead of fragmenting the heap (smollm2: ~300 MB less peak RSS); 0: off")
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
            env = dict(os.environ)
            if a.mmap_threshold:  # read by glibc at start-up, so it is set per worker process
                env["MALLOC_MMAP_THRESHOLD_"] = str(a.mmap_threshold)
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.strip().splitlines()[-1]
            results[side].append(json.loads(out))
            print(out, flush=True)
    tps = {s: statistics.median(r["tokens_per_s"] for r in rs) for s, rs in results.items()}
    tpc = {s: statistics.median(r["tokens_per_cpu_s"] for r in rs) for s, rs in results.items()}
    summary = {"model": a.model, "lora_r": a.lora_r, "batch": a.batch, "prompt_len": a.prompt_len,
               "action_len": a.action_len, "mira_micro_batch": a.mira_micro_batch,
               "mira_checkpointing": a.mira_checkpointing, "trl_checkpointing": not a.trl_no_checkpointing,
               "mmap_threshold": a.mmap_threshold,
               "mira_tokens_per_s": tps["mira"], "trl_tokens_per_s": tps["trl"],
               "speedup": round(tps["mira"] / tps["trl"], 2),
               "mira_tokens_per_cpu_s": tpc["mira"], "trl_tokens_per_cpu_s": tpc["trl"],
               "speedup_cpu": round(tpc["mira"] / tpc["trl"], 2),
               "mira_peak_rss_mb": max(r["peak_rss_mb"] for r in results["mira"]),
               "trl_peak_rss_mb": max(r["peak_rss_mb"] for r in results["trl"])}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
