#!/usr/bin/env python3
"""PyTorch oracle for the SharpLM tensor engine.

Generates the golden fixtures that SharpLM.Tensors.Tests compares against:

    tests/SharpLM.Tensors.Tests/Fixtures/ops.safetensors
    tests/SharpLM.Tensors.Tests/Fixtures/llama_block.safetensors

Run from the repository root with Debian's Python (needs python3-torch):

    /usr/bin/python3 tests/oracles/make_fixtures.py

Conventions (see tests/oracles/README.md for the full list of cases):
  * float inputs are drawn in float32 and stored as F32; integer inputs
    (indices, targets, positions, boolean masks as 0/1) are stored as I64;
  * the oracle loads the stored float32 values, converts them to float64
    and computes everything in float64; outputs are stored as F64
    (integer outputs such as argmax indices as I64);
  * backward: an upstream gradient `gout` (F32, randn with the output's
    shape, 0-dim for scalar outputs) is drawn, loss = sum(out * gout)
    (summed over all float outputs), and each float input's gradient is
    stored as F64 `gx<i>`, where i is the input's index.

The safetensors files are written by hand (struct + json), no dependency on
the `safetensors` package.
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 1234
GENERATOR = "tests/oracles/make_fixtures.py"

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE_DIR = os.path.join(REPO_ROOT, "tests", "SharpLM.Tensors.Tests", "Fixtures")

_DTYPES = {
    "F32": (torch.float32, np.dtype("<f4")),
    "F64": (torch.float64, np.dtype("<f8")),
    "I64": (torch.int64, np.dtype("<i8")),
}


# --------------------------------------------------------------------------
# safetensors writer / reader
# --------------------------------------------------------------------------

class SafetensorsWriter:
    """Collects named tensors in insertion order and writes a safetensors file."""

    def __init__(self):
        self.entries = []  # (name, dtype_str, shape, bytes)
        self.names = set()

    def add(self, name, tensor, dtype):
        if name in self.names:
            raise ValueError(f"duplicate tensor name {name!r}")
        if dtype not in _DTYPES:
            raise ValueError(f"unsupported dtype {dtype}")
        torch_dtype, np_dtype = _DTYPES[dtype]
        t = tensor.detach()
        if dtype in ("F32", "F64") and not t.is_floating_point():
            raise TypeError(f"{name}: expected a float tensor for {dtype}, got {t.dtype}")
        if dtype == "I64" and t.is_floating_point():
            raise TypeError(f"{name}: expected an integer/bool tensor for I64, got {t.dtype}")
        arr = t.to(torch_dtype).contiguous().cpu().numpy().astype(np_dtype, copy=False)
        self.entries.append((name, dtype, list(t.shape), arr.tobytes(order="C")))
        self.names.add(name)

    def f32(self, name, t):
        self.add(name, t, "F32")

    def f64(self, name, t):
        self.add(name, t, "F64")

    def i64(self, name, t):
        self.add(name, t, "I64")

    def write(self, path, metadata=None):
        """metadata replaces the oracle's own __metadata__ (e.g. {"format": "pt"} for files written in another tool's layout)."""
        header = {
            "__metadata__": metadata if metadata is not None else {
                "format": "sharplm-oracle",
                "version": "1",
                "torch": str(torch.__version__),
                "generator": GENERATOR,
            }
        }
        offset = 0
        for name, dtype, shape, data in self.entries:
            header[name] = {
                "dtype": dtype,
                "shape": shape,
                "data_offsets": [offset, offset + len(data)],
            }
            offset += len(data)
        hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
        pad = (-len(hjson)) % 8
        hjson += b" " * pad
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(hjson)))
            f.write(hjson)
            for _, _, _, data in self.entries:
                f.write(data)
        os.replace(tmp, path)


def read_safetensors(path):
    """Minimal reader used to verify what was written. Returns (metadata, {name: ndarray}, order)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0, "header not padded to a multiple of 8"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__")
    body = raw[8 + n:]
    out = {}
    expected = 0
    order = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    for name, info in order:
        b, e = info["data_offsets"]
        assert b == expected, f"{name}: gap/overlap in data offsets"
        np_dtype = _DTYPES[info["dtype"]][1]
        count = int(np.prod(info["shape"], dtype=np.int64)) if info["shape"] else 1
        assert e - b == count * np_dtype.itemsize, f"{name}: byte size mismatch"
        out[name] = np.frombuffer(body[b:e], dtype=np_dtype).reshape(info["shape"])
        expected = e
    assert expected == len(body), "trailing bytes after last tensor"
    return meta, out, [name for name, _ in order]


# --------------------------------------------------------------------------
# generic op case driver
# --------------------------------------------------------------------------

def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def rand(*shape):
    return torch.rand(*shape, dtype=torch.float32)


def run_case(w, name, inputs, fn, no_grad=()):
    """Store inputs, compute fn in float64, store outputs, gout(s) and input gradients.

    inputs: list of float32 or int64 tensors (already drawn).
    fn: takes the list of float64 (float inputs, requires_grad) / int64 tensors and
        returns a tensor or a tuple of tensors.
    no_grad: indices of float inputs that do not get requires_grad (no gx stored).
    """
    args = []
    for i, t in enumerate(inputs):
        if t.is_floating_point():
            assert t.dtype == torch.float32, f"{name}.x{i} must be drawn as float32"
            w.f32(f"{name}.x{i}", t)
            a = t.to(torch.float64)  # exact widening of the stored float32 values
            if i not in no_grad:
                a.requires_grad_(True)
            args.append(a)
        else:
            assert t.dtype == torch.int64, f"{name}.x{i} must be int64"
            w.i64(f"{name}.x{i}", t)
            args.append(t)

    result = fn(args)
    multi = isinstance(result, (tuple, list))
    outs = list(result) if multi else [result]

    def oname(prefix, k):
        return f"{name}.{prefix}{k}" if multi else f"{name}.{prefix}"

    for k, o in enumerate(outs):
        if o.is_floating_point():
            assert o.dtype == torch.float64, f"{name}: output {k} not computed in float64"
            w.f64(oname("out", k), o)
        else:
            w.i64(oname("out", k), o)

    loss = None
    for k, o in enumerate(outs):
        if not o.is_floating_point():
            continue
        g = torch.randn(tuple(o.shape), dtype=torch.float32)
        w.f32(oname("gout", k), g)
        term = (o * g.to(torch.float64)).sum()
        loss = term if loss is None else loss + term

    if loss is not None:
        grad_inputs = [a for a in args if a.is_floating_point() and a.requires_grad]
        grads = torch.autograd.grad(loss, grad_inputs, allow_unused=True)
        gi = iter(grads)
        for i, a in enumerate(args):
            if a.is_floating_point() and a.requires_grad:
                g = next(gi)
                if g is None:
                    g = torch.zeros_like(a)
                w.f64(f"{name}.gx{i}", g)
    return outs


# --------------------------------------------------------------------------
# reference building blocks (float64, explicit)
# --------------------------------------------------------------------------

def rope_angles(pos, dim, theta):
    """angle[t, i] = pos[t] * theta^(-2i/dim), i < dim/2, float64."""
    i = torch.arange(dim // 2, dtype=torch.float64)
    inv_freq = torch.pow(torch.tensor(float(theta), dtype=torch.float64), -2.0 * i / dim)
    return pos.to(torch.float64)[:, None] * inv_freq[None, :]  # [T, dim/2]


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat([-x[..., d:], x[..., :d]], dim=-1)


def rope_halves(x, pos, theta=10000.0):
    """GPT-NeoX / HF layout. x: [..., T, D], pos: [T]."""
    ang = rope_angles(pos, x.shape[-1], theta)
    emb = torch.cat([ang, ang], dim=-1)  # [T, D]
    return x * emb.cos() + rotate_half(x) * emb.sin()


def rope_pairs(x, pos, theta=10000.0):
    """GPT-J / llama.cpp interleaved layout. x: [..., T, D], pos: [T]."""
    ang = rope_angles(pos, x.shape[-1], theta)
    c, s = ang.cos(), ang.sin()  # [T, D/2]
    xe = x[..., 0::2]
    xo = x[..., 1::2]
    oe = xe * c - xo * s
    oo = xe * s + xo * c
    return torch.stack([oe, oo], dim=-1).flatten(-2)


def attention(q, k, v, scale, causal, alibi_slopes=None):
    """q: [B,H,Tq,D], k/v: [B,Hkv,Tk,D]; query head h uses kv head h // (H/Hkv)."""
    H, Hkv = q.shape[1], k.shape[1]
    assert H % Hkv == 0
    rep = H // Hkv
    k = k.repeat_interleave(rep, dim=1)
    v = v.repeat_interleave(rep, dim=1)
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale  # [B,H,Tq,Tk]
    Tq, Tk = scores.shape[-2], scores.shape[-1]
    i = torch.arange(Tq)[:, None]
    j = torch.arange(Tk)[None, :]
    if alibi_slopes is not None:
        rel = (j - i).to(torch.float64)  # [Tq,Tk]
        scores = scores + alibi_slopes.to(torch.float64)[None, :, None, None] * rel
    if causal:
        assert Tq == Tk
        scores = scores.masked_fill(j > i, float("-inf"))
    p = torch.softmax(scores, dim=-1)
    return torch.matmul(p, v)


def attention_naive(q, k, v, scale, causal, alibi_slopes=None):
    """Loop-based cross-check of attention()."""
    B, H, Tq, D = q.shape
    Hkv, Tk = k.shape[1], k.shape[2]
    rep = H // Hkv
    out = torch.zeros(B, H, Tq, v.shape[-1], dtype=torch.float64)
    for b in range(B):
        for h in range(H):
            kh = h // rep
            for t in range(Tq):
                s = []
                for u in range(Tk):
                    if causal and u > t:
                        continue
                    val = float((q[b, h, t] * k[b, kh, u]).sum()) * scale
                    if alibi_slopes is not None:
                        val += float(alibi_slopes[h]) * (u - t)
                    s.append((u, val))
                m = max(val for _, val in s)
                z = sum(math.exp(val - m) for _, val in s)
                acc = torch.zeros(v.shape[-1], dtype=torch.float64)
                for u, val in s:
                    acc += math.exp(val - m) / z * v[b, kh, u]
                out[b, h, t] = acc
    return out


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


# --------------------------------------------------------------------------
# ops.safetensors
# --------------------------------------------------------------------------

def build_ops():
    torch.manual_seed(SEED)
    w = SafetensorsWriter()

    # elementwise binary with broadcasting
    run_case(w, "add", [randn(4, 3, 5), randn(3, 1)], lambda a: a[0] + a[1])
    run_case(w, "sub", [randn(2, 3, 4), randn(4)], lambda a: a[0] - a[1])
    run_case(w, "mul", [randn(2, 1, 4), randn(3, 1)], lambda a: a[0] * a[1])
    run_case(w, "div", [randn(3, 4), rand(3, 1) + 0.5], lambda a: a[0] / a[1])

    # elementwise unary
    unary = [
        ("neg", lambda x: -x),
        ("exp", torch.exp),
        ("tanh", torch.tanh),
        ("sigmoid", torch.sigmoid),
        ("relu", F.relu),
        ("silu", F.silu),
        ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
        ("gelu_erf", lambda x: F.gelu(x, approximate="none")),
    ]
    for name, f in unary:
        run_case(w, name, [randn(3, 5, 7)], lambda a, f=f: f(a[0]))

    positive = [
        ("log", torch.log),
        ("sqrt", torch.sqrt),
        ("rsqrt", torch.rsqrt),
        ("pow", lambda x: x ** 2.5),
    ]
    for name, f in positive:
        run_case(w, name, [rand(3, 4) + 0.1], lambda a, f=f: f(a[0]))

    # reductions
    run_case(w, "sum_dim", [randn(3, 4, 5)], lambda a: a[0].sum(1))
    run_case(w, "sum_keepdim", [randn(3, 4, 5)], lambda a: a[0].sum(-1, keepdim=True))
    run_case(w, "sum_all", [randn(3, 4, 5)], lambda a: a[0].sum())
    run_case(w, "mean_dim", [randn(3, 4, 5)], lambda a: a[0].mean(0, keepdim=True))

    def max_dim(a):
        r = a[0].max(2)
        return (r.values, r.indices)

    run_case(w, "max_dim", [randn(3, 4, 5)], max_dim)
    run_case(w, "argmax_dim", [randn(3, 4, 5)], lambda a: a[0].argmax(1))

    # matmul
    run_case(w, "matmul", [randn(5, 7), randn(7, 3)], lambda a: a[0] @ a[1])
    run_case(w, "matmul_bcast", [randn(2, 1, 5, 7), randn(3, 7, 4)], lambda a: a[0] @ a[1])
    run_case(w, "matmul_t", [randn(2, 5, 7), randn(2, 4, 7)],
             lambda a: a[0] @ a[1].transpose(-1, -2))

    # softmax family
    run_case(w, "softmax", [randn(4, 6)], lambda a: torch.softmax(a[0], dim=-1))
    run_case(w, "log_softmax", [randn(3, 5, 2)], lambda a: torch.log_softmax(a[0], dim=1))

    # cross entropy
    def targets():
        t = torch.randint(0, 10, (6,), dtype=torch.int64)
        t[2] = -100
        return t

    run_case(w, "cross_entropy", [randn(6, 10), targets()],
             lambda a: F.cross_entropy(a[0], a[1], ignore_index=-100, reduction="mean"))
    run_case(w, "cross_entropy_ls", [randn(6, 10), targets()],
             lambda a: F.cross_entropy(a[0], a[1], ignore_index=-100, reduction="mean",
                                       label_smoothing=0.1))

    # embedding (repeated indices -> accumulated gradient rows)
    idx = torch.tensor([[1, 2, 1], [9, 2, 0]], dtype=torch.int64)
    run_case(w, "embedding", [randn(10, 4), idx], lambda a: F.embedding(a[1], a[0]))

    # norms
    run_case(w, "layer_norm", [randn(3, 4, 8), randn(8), randn(8)],
             lambda a: F.layer_norm(a[0], (8,), a[1], a[2], eps=1e-5))
    run_case(w, "rms_norm", [randn(3, 4, 8), randn(8)], lambda a: rms_norm(a[0], a[1], 1e-6))

    # rope
    pos = torch.tensor([3, 4, 5, 6, 7], dtype=torch.int64)
    outs_h = run_case(w, "rope_halves", [randn(2, 3, 5, 8), pos.clone()],
                      lambda a: rope_halves(a[0], a[1], 10000.0))
    outs_p = run_case(w, "rope_pairs", [randn(2, 3, 5, 8), pos.clone()],
                      lambda a: rope_pairs(a[0], a[1], 10000.0))
    _check_rope(outs_h, outs_p, pos)

    # shape ops
    run_case(w, "concat", [randn(2, 3), randn(2, 5)], lambda a: torch.cat([a[0], a[1]], dim=1))
    run_case(w, "stack", [randn(2, 3), randn(2, 3)], lambda a: torch.stack([a[0], a[1]], dim=0))
    run_case(w, "split", [randn(4, 6)], lambda a: tuple(a[0].split([2, 4], dim=1)))

    mask = torch.randint(0, 2, (1, 4), dtype=torch.int64)
    mask[0, 0], mask[0, 3] = 1, 0  # guarantee both values are present
    run_case(w, "masked_fill", [randn(3, 4), mask],
             lambda a: a[0].masked_fill(a[1].bool(), -2.0))

    cond = torch.tensor([[1], [0], [1]], dtype=torch.int64)
    run_case(w, "where", [cond, randn(3, 4), randn(4)],
             lambda a: torch.where(a[0].bool(), a[1], a[2]))

    run_case(w, "view_chain", [randn(2, 3, 4)],
             lambda a: a[0].permute(2, 0, 1).narrow(1, 1, 1).expand(4, 5, 3).contiguous().reshape(4, 15))
    run_case(w, "transpose_reshape", [randn(2, 3, 4)],
             lambda a: a[0].transpose(0, 2).reshape(-1, 6))

    # attention
    sdpa_specs = [
        ("sdpa", (2, 4, 16, 8), (2, 2, 16, 8), True, 1.0 / math.sqrt(8), False),
        ("sdpa_alibi", (2, 4, 16, 8), (2, 2, 16, 8), True, 1.0 / math.sqrt(8), True),
        ("sdpa_mqa", (1, 3, 33, 16), (1, 1, 33, 16), True, 0.25, False),
        ("sdpa_noncausal", (1, 2, 9, 8), (1, 2, 12, 8), False, 1.0 / math.sqrt(8), False),
    ]
    for name, qs, ks, causal, scale, alibi in sdpa_specs:
        inputs = [randn(*qs), randn(*ks), randn(*ks)]
        if alibi:
            inputs.append(torch.tensor([0.5, 0.25, 0.125, 0.0625], dtype=torch.float32))
            fn = lambda a, s=scale, c=causal: attention(a[0], a[1], a[2], s, c, alibi_slopes=a[3])
            outs = run_case(w, name, inputs, fn, no_grad=(3,))
        else:
            fn = lambda a, s=scale, c=causal: attention(a[0], a[1], a[2], s, c)
            outs = run_case(w, name, inputs, fn)
        with torch.no_grad():
            d = [t.to(torch.float64) for t in inputs]
            ref = attention_naive(d[0], d[1], d[2], scale, causal,
                                  alibi_slopes=d[3] if alibi else None)
        err = (outs[0].detach() - ref).abs().max().item()
        assert err < 1e-12, f"{name}: attention cross-check failed ({err})"

    return w


def _check_rope(outs_h, outs_p, pos):
    """Cross-check the two RoPE layouts against each other via a channel permutation
    (halves layout on x[..., perm] == pairs layout on x, permuted the same way)."""
    g = torch.Generator().manual_seed(0)  # private generator: leaves the fixture RNG stream alone
    x = torch.randn(2, 3, 5, 8, dtype=torch.float64, generator=g)
    D = 8
    perm = torch.cat([torch.arange(0, D, 2), torch.arange(1, D, 2)])  # evens then odds
    a = rope_halves(x[..., perm], pos)
    b = rope_pairs(x, pos)[..., perm]
    assert (a - b).abs().max().item() < 1e-12, "rope layout cross-check failed"
    # rotation preserves the norm of each (pair) sub-vector
    assert torch.allclose(rope_pairs(x, pos).norm(dim=-1), x.norm(dim=-1), atol=1e-12)
    # position 0 is the identity
    z = torch.zeros(5, dtype=torch.int64)
    assert torch.allclose(rope_halves(x, z), x) and torch.allclose(rope_pairs(x, z), x)


# --------------------------------------------------------------------------
# llama_block.safetensors
# --------------------------------------------------------------------------

LLAMA = dict(dim=32, n_heads=4, n_kv_heads=2, head_dim=8, hidden=64, eps=1e-5, theta=10000.0)


def llama_block(p, cfg, record=None):
    """Pre-norm LLaMA decoder layer (HF LlamaDecoderLayer semantics), float64.

    p: dict of float64 tensors (x and weights). Linear weights are [out, in]: y = x W^T.
    """
    x = p["x"]
    B, T, _ = x.shape
    H, Hkv, hd = cfg["n_heads"], cfg["n_kv_heads"], cfg["head_dim"]
    eps, theta = cfg["eps"], cfg["theta"]

    def linear(t, name):
        return torch.matmul(t, p[name].transpose(0, 1))

    xn = rms_norm(x, p["attn_norm.weight"], eps)
    q = linear(xn, "q_proj.weight").reshape(B, T, H, hd).transpose(1, 2)
    k = linear(xn, "k_proj.weight").reshape(B, T, Hkv, hd).transpose(1, 2)
    v = linear(xn, "v_proj.weight").reshape(B, T, Hkv, hd).transpose(1, 2)
    pos = torch.arange(T, dtype=torch.int64)
    q = rope_halves(q, pos, theta)
    k = rope_halves(k, pos, theta)
    o = attention(q, k, v, 1.0 / math.sqrt(hd), causal=True)  # [B,H,T,hd]
    o = o.transpose(1, 2).reshape(B, T, H * hd)
    attn_out = linear(o, "o_proj.weight")
    h = x + attn_out
    hn = rms_norm(h, p["ffn_norm.weight"], eps)
    ffn = linear(F.silu(linear(hn, "gate_proj.weight")) * linear(hn, "up_proj.weight"),
                 "down_proj.weight")
    out = h + ffn
    if record is not None:
        record["attn_norm_out"] = xn
        record["q_rope"] = q
        record["attn_out"] = attn_out
        record["h"] = h
    return out


def build_llama():
    torch.manual_seed(SEED)
    cfg = LLAMA
    D, hid = cfg["dim"], cfg["hidden"]
    kvd = cfg["n_kv_heads"] * cfg["head_dim"]
    B, T = 2, 8

    shapes = [
        ("x", (B, T, D), "x"),
        ("attn_norm.weight", (D,), "norm"),
        ("q_proj.weight", (cfg["n_heads"] * cfg["head_dim"], D), "lin"),
        ("k_proj.weight", (kvd, D), "lin"),
        ("v_proj.weight", (kvd, D), "lin"),
        ("o_proj.weight", (D, cfg["n_heads"] * cfg["head_dim"]), "lin"),
        ("ffn_norm.weight", (D,), "norm"),
        ("gate_proj.weight", (hid, D), "lin"),
        ("up_proj.weight", (hid, D), "lin"),
        ("down_proj.weight", (D, hid), "lin"),
    ]
    inputs = {}
    for name, shape, kind in shapes:
        if kind == "x":
            t = randn(*shape)
        elif kind == "norm":
            t = 1.0 + 0.1 * randn(*shape)
        else:
            t = 0.2 * randn(*shape)
        inputs[name] = t.to(torch.float32)

    w = SafetensorsWriter()
    for name, _, _ in shapes:
        w.f32(name, inputs[name])

    p = {n: t.to(torch.float64).requires_grad_(True) for n, t in inputs.items()}
    rec = {}
    out = llama_block(p, cfg, record=rec)
    w.f64("out", out)

    gout = randn(B, T, D)
    w.f32("gout", gout)
    loss = (out * gout.to(torch.float64)).sum()
    names = [n for n, _, _ in shapes]
    grads = torch.autograd.grad(loss, [p[n] for n in names])
    for n, g in zip(names, grads):
        w.f64(f"grad.{n}", g)

    for n in ("attn_norm_out", "q_rope", "attn_out", "h"):
        w.f64(n, rec[n])

    _check_llama(p, cfg, out.detach(), rec)
    return w


def _check_llama(p, cfg, out, rec):
    """Independent re-derivation with per-head loops / nn modules to catch layout mistakes."""
    with torch.no_grad():
        x = p["x"].detach()
        B, T, D = x.shape
        H, Hkv, hd = cfg["n_heads"], cfg["n_kv_heads"], cfg["head_dim"]
        eps = cfg["eps"]

        def lin(t, n):
            m = torch.nn.Linear(p[n].shape[1], p[n].shape[0], bias=False).double()
            m.weight.copy_(p[n].detach())
            return m(t)

        def rms(t, n):
            return t / torch.sqrt((t * t).mean(-1, keepdim=True) + eps) * p[n].detach()

        xn = rms(x, "attn_norm.weight")
        q, k, v = lin(xn, "q_proj.weight"), lin(xn, "k_proj.weight"), lin(xn, "v_proj.weight")
        pos = torch.arange(T)
        ang = rope_angles(pos, hd, cfg["theta"])
        heads = []
        for h in range(H):
            kh = h // (H // Hkv)
            qh = q[..., h * hd:(h + 1) * hd]
            kk = k[..., kh * hd:(kh + 1) * hd]
            vv = v[..., kh * hd:(kh + 1) * hd]

            def rot(t):
                a, b = t[..., :hd // 2], t[..., hd // 2:]
                c, s = ang.cos(), ang.sin()
                return torch.cat([a * c - b * s, b * c + a * s], dim=-1)

            qh, kk = rot(qh), rot(kk)
            assert torch.allclose(qh, rec["q_rope"][:, h].detach(), atol=1e-12)
            sc = qh @ kk.transpose(-1, -2) / math.sqrt(hd)
            sc = sc + torch.triu(torch.full((T, T), float("-inf"), dtype=torch.float64), 1)
            heads.append(torch.softmax(sc, -1) @ vv)
        attn = lin(torch.cat(heads, -1), "o_proj.weight")
        h1 = x + attn
        hn = rms(h1, "ffn_norm.weight")
        ref = h1 + lin(F.silu(lin(hn, "gate_proj.weight")) * lin(hn, "up_proj.weight"),
                       "down_proj.weight")
        err = (ref - out).abs().max().item()
        assert err < 1e-12, f"llama block cross-check failed ({err})"


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def verify(path, w):
    meta, tensors, order = read_safetensors(path)
    assert meta["format"] == "sharplm-oracle" and meta["version"] == "1"
    assert order == [e[0] for e in w.entries], "tensor order mismatch"
    for name, dtype, shape, data in w.entries:
        arr = tensors[name]
        assert list(arr.shape) == shape and arr.tobytes() == data, f"{name}: roundtrip mismatch"
        if dtype != "I64":
            assert np.isfinite(arr).all(), f"{name}: non-finite values"


def main():
    torch.set_num_threads(1)  # byte-for-byte reproducible output
    torch.use_deterministic_algorithms(True)
    files = [
        ("ops.safetensors", build_ops),
        ("llama_block.safetensors", build_llama),
    ]
    total = 0
    for fname, build in files:
        w = build()
        path = os.path.join(FIXTURE_DIR, fname)
        w.write(path)
        verify(path, w)
        size = os.path.getsize(path)
        total += size
        print(f"{os.path.relpath(path, REPO_ROOT)}: {len(w.entries)} tensors, {size} bytes")
        if "-v" in sys.argv[1:]:
            for name, dtype, shape, _ in w.entries:
                print(f"  {name:32s} {dtype} {shape}")
    assert total < 1_000_000, f"fixtures too large: {total} bytes"
    print(f"total: {total} bytes (torch {torch.__version__})")


if __name__ == "__main__":
    main()
