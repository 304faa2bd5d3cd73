#!/usr/bin/python3
"""Worked ggml quantisation blocks for SharpLM.Models.Tests (GgmlQuantTests).

Implements, in numpy float32 arithmetic, the reference formulas of ggml's ggml-quants.c
(quantize_row_{q8_0,q4_0,q4_1,q5_0,q5_1}_ref and dequantize_row_*), independently of the C# code,
and writes tests/SharpLM.Models.Tests/Fixtures/formats/ggml_quant_blocks.json:
  {type: [{"name", "x": little-endian float32 bytes as hex, "block": hex bytes, "y": float32 bytes as hex}]}
Run from the repository root:  /usr/bin/python3 tests/oracles/ggml_quant_blocks.py
Deterministic: a fixed seed, so reruns give a byte-identical file.
"""
import json
import os
import numpy as np

QK = 32
f32 = np.float32


def roundf(v):
    """C roundf: half away from zero (numpy's round is half to even). Exact in float64."""
    v = v.astype(np.float64)
    return np.where(v >= 0, np.floor(v + 0.5), -np.floor(-v + 0.5)).astype(np.int64)


def trunc_i(v):
    """C (int8_t)/(uint8_t) cast of an in-range float: truncate toward zero."""
    return np.trunc(v.astype(np.float64)).astype(np.int64)


def fp16_bytes(v):
    return np.array([v], dtype=np.float32).astype(np.float16).tobytes()


def fp16_value(v):
    return f32(np.array([v], dtype=np.float32).astype(np.float16)[0])


def signed_absmax(x):
    amax, mx = f32(0), f32(0)
    for v in x:  # first value of largest magnitude wins, as in the C loop
        if amax < abs(v):
            amax, mx = abs(v), v
    return f32(mx)


def inv(d):
    return f32(1) / d if d != 0 else f32(0)


def q8_0(x):
    amax = np.max(np.abs(x)).astype(f32)
    d = f32(amax / f32(127))
    q = roundf((x * inv(d)).astype(f32))
    blk = fp16_bytes(d) + q.astype(np.int8).tobytes()
    y = (q.astype(f32) * fp16_value(d)).astype(f32)
    return blk, y


def nibbles(lo, hi):
    return ((lo & 0x0F) | ((hi & 0x0F) << 4)).astype(np.uint8).tobytes()


def q4_0(x):
    d = f32(signed_absmax(x) / f32(-8))
    id_ = inv(d)
    q = np.minimum(15, trunc_i((x * id_).astype(f32) + f32(8.5)))
    blk = fp16_bytes(d) + nibbles(q[:16], q[16:])
    y = ((q - 8).astype(f32) * fp16_value(d)).astype(f32)
    return blk, y


def q4_1(x):
    mn, mx = np.min(x).astype(f32), np.max(x).astype(f32)
    d = f32((mx - mn) / f32(15))
    q = np.minimum(15, trunc_i(((x - mn).astype(f32) * inv(d)).astype(f32) + f32(0.5)))
    blk = fp16_bytes(d) + fp16_bytes(mn) + nibbles(q[:16], q[16:])
    y = ((q.astype(f32) * fp16_value(d)).astype(f32) + fp16_value(mn)).astype(f32)
    return blk, y


def qh_bytes(q):
    qh = 0
    for j in range(16):
        qh |= ((int(q[j]) & 0x10) >> 4) << j
        qh |= ((int(q[j + 16]) & 0x10) >> 4) << (j + 16)
    return qh.to_bytes(4, "little")


def q5_0(x):
    d = f32(signed_absmax(x) / f32(-16))
    q = np.minimum(31, trunc_i((x * inv(d)).astype(f32) + f32(16.5)))
    blk = fp16_bytes(d) + qh_bytes(q) + nibbles(q[:16], q[16:])
    y = ((q - 16).astype(f32) * fp16_value(d)).astype(f32)
    return blk, y


def q5_1(x):
    mn, mx = np.min(x).astype(f32), np.max(x).astype(f32)
    d = f32((mx - mn) / f32(31))
    q = trunc_i(((x - mn).astype(f32) * inv(d)).astype(f32) + f32(0.5)) & 0xFF
    blk = fp16_bytes(d) + fp16_bytes(mn) + qh_bytes(q) + nibbles(q[:16], q[16:])
    y = ((q.astype(f32) * fp16_value(d)).astype(f32) + fp16_value(mn)).astype(f32)
    return blk, y


def inputs():
    rng = np.random.default_rng(20240613)
    cases = [
        ("normal", rng.standard_normal(QK).astype(f32)),
        ("normal_x100", (rng.standard_normal(QK) * 100).astype(f32)),
        ("uniform", rng.uniform(-1, 1, QK).astype(f32)),
        ("zeros", np.zeros(QK, f32)),
        ("constant", np.full(QK, 0.75, f32)),
        ("negative_max", np.concatenate([[-9.0], rng.uniform(-1, 1, QK - 1)]).astype(f32)),
        ("magnitude_tie", np.concatenate([[3.0, -3.0], rng.uniform(-1, 1, QK - 2)]).astype(f32)),
        # x*id lands exactly on .5 for Q8_0 (amax 127 -> d = 1): roundf goes away from zero.
        ("halves_q8", np.array([127, -127] + [k + 0.5 for k in range(-15, 15)], f32)),
        # x*id + 8.5 lands exactly on integers for Q4_0 (max -8 -> d = 1).
        ("halves_q4", np.array([-8] + [k * 0.5 for k in range(-15, 16)], f32)),
        ("tiny", (rng.standard_normal(QK) * 1e-6).astype(f32)),
        ("mixed_scale", (rng.standard_normal(QK) * np.logspace(-3, 2, QK)).astype(f32)),
    ]
    return cases


def hexbits(a):
    return np.asarray(a, dtype="<f4").tobytes().hex()


def main():
    out = {}
    for tname, fn in [("Q8_0", q8_0), ("Q4_0", q4_0), ("Q4_1", q4_1), ("Q5_0", q5_0), ("Q5_1", q5_1)]:
        rows = []
        for name, x in inputs():
            blk, y = fn(x)
            rows.append({"name": name, "x": hexbits(x), "block": blk.hex(), "y": hexbits(y)})
        out[tname] = rows
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests/SharpLM.Models.Tests/Fixtures/formats/ggml_quant_blocks.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
