#!/usr/bin/python3
# lora_step_torch.py: peer for `sharplm-bench lora-step`. The train-step model (train_step_torch.Model) with LoRA written
# by hand on every projection of every block (q, k, v, o, gate, up, down; as PEFT's lora.Linear: y = W x + s * B A x,
# A [r, in] kaiming-uniform, B [out, r] zero, s = alpha / r), the base frozen (requires_grad False), AdamW and
# clip_grad_norm_ over the adapter tensors only. Reads the train-step JSON plus "rank" and "alpha" on stdin; prints
# {"tokens_per_s", "ms_per_step"}.
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step_torch import Model  # noqa: E402


class LoraLinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.A = nn.Parameter(torch.empty(r, base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.s = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.A.t()) @ self.B.t() * self.s


def main():
    c = json.load(sys.stdin)
    torch.set_num_threads(c["threads"])
    torch.manual_seed(0)
    model = Model(c)
    for p in model.parameters():
        p.requires_grad_(False)
    for b in model.blocks:
        for name in ("q", "k", "v", "o", "gate", "up", "down"):
            setattr(b, name, LoraLinear(getattr(b, name), c["rank"], c["alpha"]))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.95), weight_decay=0.0)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["ctx"]))
    tgt = torch.randint(0, c["vocab"], (c["batch"], c["ctx"]))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids).view(-1, c["vocab"]), tgt.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    for _ in range(2):
        step()
    times = []
    for _ in range(c["steps"]):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    print(json.dumps({"tokens_per_s": c["batch"] * c["ctx"] / med, "ms_per_step": med * 1000}))


if __name__ == "__main__":
    main()
