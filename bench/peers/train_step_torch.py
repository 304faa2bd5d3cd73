#!/usr/bin/python3
# train_step_torch.py: peer for `sharplm-bench train-step`. Trains the same LLaMA-style decoder in
# PyTorch (Debian python3-torch 1.13, CPU, float32): RMSNorm, RoPE (halves), causal attention, SwiGLU,
# untied head; forward + backward + clip_grad_norm_(1.0) + AdamW per step, on random tokens. Reads
# {"vocab","dim","layers","heads","ffn","ctx","batch","steps","threads"} as JSON on stdin and prints
# {"tokens_per_s", "ms_per_step"}.
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w


def rope(x, cos, sin):
    d = x.shape[-1] // 2
    rot = torch.cat([-x[..., d:], x[..., :d]], dim=-1)
    return x * cos + rot * sin


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, f = c["dim"], c["heads"], c["ffn"]
        self.h = h
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.gate, self.up = nn.Linear(d, f, bias=False), nn.Linear(d, f, bias=False)
        self.down = nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, C = x.shape
        a = self.n1(x)
        q, k, v = (m(a).view(B, T, self.h, C // self.h).transpose(1, 2) for m in (self.q, self.k, self.v))
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(C // self.h)
        y = torch.softmax(s.masked_fill(mask, float("-inf")), -1) @ v
        x = x + self.o(y.transpose(1, 2).reshape(B, T, C))
        m = self.n2(x)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.emb = nn.Embedding(c["vocab"], c["dim"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["dim"])
        self.head = nn.Linear(c["dim"], c["vocab"], bias=False)
        hd = c["dim"] // c["heads"]
        inv = 10000.0 ** (-torch.arange(0, hd, 2).float() / hd)
        ang = torch.arange(c["ctx"]).float()[:, None] * inv[None, :]
        emb = torch.cat([ang, ang], -1)
        self.register_buffer("cos", emb.cos())
        self.register_buffer("sin", emb.sin())
        self.register_buffer("mask", torch.triu(torch.ones(c["ctx"], c["ctx"], dtype=torch.bool), 1))

    def forward(self, ids):
        x = self.emb(ids)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        return self.head(self.norm(x))


def main():
    c = json.load(sys.stdin)
    torch.set_num_threads(c["threads"])
    torch.manual_seed(0)
    model = Model(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["ctx"]))
    tgt = torch.randint(0, c["vocab"], (c["batch"], c["ctx"]))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids).view(-1, c["vocab"]), tgt.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
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
