#!/usr/bin/env python3
"""PyTorch oracle for attention over packed sequences (segment ids).

Writes tests/SharpLM.Tensors.Tests/Fixtures/packed_attention.safetensors, read by PackedAttentionOracleTests:
q [B, Hq, T, D], k/v [B, Hkv, T, D] (GQA), segment ids seg [B, T] (several sessions per row, padding segment 0
at the end of a row), an upstream gradient gout; the output o = softmax(q kᵀ/√D + mask) v with the
block-diagonal causal mask (query i sees key j iff j <= i and seg[j] == seg[i]) and the gradients gq, gk, gv of
sum(o * gout), computed in float64 from the float32 inputs and stored as float32. T = 150 spans three 64-wide tiles, so the fused kernel's
skipping of fully masked tiles is exercised; one row is a single session (no masking beyond causal).

    /usr/bin/python3 tests/oracles/make_packed_attention_fixture.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import SafetensorsWriter, FIXTURE_DIR  # noqa: E402

import make_fixtures  # noqa: E402

make_fixtures.GENERATOR = "tests/oracles/make_packed_attention_fixture.py"

B, HQ, HKV, T, D = 3, 2, 1, 150, 8
# Session lengths per row (the rest of the row is padding, segment 0).
ROWS = [[40, 70, 25], [150], [5, 90, 1, 30]]


def segments():
    seg = torch.zeros(B, T, dtype=torch.int64)
    for b, lengths in enumerate(ROWS):
        p = 0
        for s, n in enumerate(lengths):
            seg[b, p:p + n] = s + 1
            p += n
    return seg


def main():
    g = torch.Generator().manual_seed(20261204)
    q = torch.randn(B, HQ, T, D, generator=g, dtype=torch.float32)
    k = torch.randn(B, HKV, T, D, generator=g, dtype=torch.float32)
    v = torch.randn(B, HKV, T, D, generator=g, dtype=torch.float32)
    gout = torch.randn(B, HQ, T, D, generator=g, dtype=torch.float32)
    seg = segments()

    q64, k64, v64 = (t.double().requires_grad_(True) for t in (q, k, v))
    rep = HQ // HKV
    kk = k64.repeat_interleave(rep, dim=1)
    vv = v64.repeat_interleave(rep, dim=1)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    same = seg[:, :, None] == seg[:, None, :]                       # (B, T, T)
    allowed = (causal[None] & same)[:, None]                         # (B, 1, T, T)
    s = q64 @ kk.transpose(-1, -2) / D ** 0.5
    s = s.masked_fill(~allowed, float("-inf"))
    o = torch.softmax(s, dim=-1) @ vv
    (o * gout.double()).sum().backward()

    w = SafetensorsWriter()
    w.f32("q", q); w.f32("k", k); w.f32("v", v); w.f32("gout", gout)
    w.i64("seg", seg)
    # computed in float64, stored rounded to float32 (the tests compare to 1e-4)
    w.f32("o", o.float()); w.f32("gq", q64.grad.float()); w.f32("gk", k64.grad.float()); w.f32("gv", v64.grad.float())
    w.write(os.path.join(FIXTURE_DIR, "packed_attention.safetensors"))
    print("wrote packed_attention.safetensors")


if __name__ == "__main__":
    main()
