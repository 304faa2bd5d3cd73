#!/usr/bin/env python3
"""PyTorch oracle for SharpLM's optimizers: 20 training steps of the tiny LLaMA-GQA model.

Starts from tests/SharpLM.Models.Tests/Fixtures/llama_gqa/model.safetensors and trains in float64 with
torch.optim.AdamW (betas 0.9/0.95, eps 1e-8, weight decay 0.1 on the projection matrices and lm_head,
none on norms and embeddings), global-norm clipping at 1.0 (clip_grad_norm_), and a linear-warmup (3 steps)
+ cosine schedule to 10% of the peak 3e-3 over 20 steps, on seeded random batches [2, 8]. Writes
tests/SharpLM.Training.Tests/Fixtures/adamw_llama.safetensors with every batch (I64), the loss and the
pre-clip gradient norm of every step (F64), and the final weights (F64).

    /usr/bin/python3 tests/oracles/make_training_fixtures.py
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402
import make_model_fixtures as mm  # noqa: E402

REPO = mm.REPO
OUT = os.path.join(REPO, "tests", "SharpLM.Training.Tests", "Fixtures", "adamw_llama.safetensors")
STEPS, WARMUP, PEAK, MIN_RATIO = 20, 3, 3e-3, 0.1


def lr_at(t):
    if t < WARMUP:
        return PEAK * (t + 1) / WARMUP
    progress = min(max((t - WARMUP) / (STEPS - WARMUP), 0.0), 1.0)
    lo = PEAK * MIN_RATIO
    return lo + 0.5 * (PEAK - lo) * (1 + math.cos(math.pi * progress))


def no_decay(name, t):
    return t.dim() < 2 or "norm" in name or "embed" in name


def main():
    d = os.path.join(mm.OUT, "llama_gqa")
    import json
    config = json.load(open(os.path.join(d, "config.json")))
    _, arrays, _ = mf.read_safetensors(os.path.join(d, "model.safetensors"))
    weights = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    p = {k: v.to(torch.float64).clone().requires_grad_(True) for k, v in weights.items()}
    decay = [v for k, v in p.items() if not no_decay(k, v)]
    rest = [v for k, v in p.items() if no_decay(k, v)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=PEAK, betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(99)
    V = config["vocab_size"]
    w = mf.SafetensorsWriter()
    losses, norms = [], []
    for t in range(STEPS):
        ids = torch.randint(0, V, (mm.B, mm.T), generator=g)
        tgt = torch.randint(0, V, (mm.B, mm.T), generator=g)
        w.i64(f"step{t}.input_ids", ids)
        w.i64(f"step{t}.targets", tgt)
        for group in opt.param_groups:
            group["lr"] = lr_at(t)
        opt.zero_grad()
        logits = mm.llama_forward(p, config, ids)
        loss = F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1))
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(list(p.values()), 1.0)))
        opt.step()
        losses.append(loss.item())
    w.f64("losses", torch.tensor(losses, dtype=torch.float64))
    w.f64("grad_norms", torch.tensor(norms, dtype=torch.float64))
    w.f64("lrs", torch.tensor([lr_at(t) for t in range(STEPS)], dtype=torch.float64))
    for k in sorted(p):
        w.f64("final." + k, p[k].detach())
    w.write(OUT)
    print("losses", [round(x, 5) for x in losses])


if __name__ == "__main__":
    main()
