#!/usr/bin/env python3
"""PyTorch oracle for the engine's f16 KV cache.

Runs the llama_gqa fixture model (tests/SharpLM.Models.Tests/Fixtures/llama_gqa, written by
make_model_fixtures.py) over one 16-token sequence in float64 twice: as is, and with keys (after RoPE) and
values rounded to fp16 — what an f16 KV cache stores, as llama.cpp keeps its cache. Writes
tests/SharpLM.Inference.Tests/Fixtures/llama_gqa_kv16.safetensors with input_ids (I64), logits_kv16 and
logits_f32kv (F64, [16, vocab]). Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 tests/oracles/make_kv16_fixture.py
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402
import make_model_fixtures as mm  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(REPO, "tests", "SharpLM.Models.Tests", "Fixtures", "llama_gqa")
OUT = os.path.join(REPO, "tests", "SharpLM.Inference.Tests", "Fixtures", "llama_gqa_kv16.safetensors")
SEQUENCE = [3, 17, 42, 5, 9, 63, 0, 28, 11, 50, 7, 33, 21, 2, 60, 14]  # DecoderEngineTests.Sequence


def main():
    with open(os.path.join(SRC, "config.json")) as f:
        config = json.load(f)
    _, weights, _ = mf.read_safetensors(os.path.join(SRC, "model.safetensors"))
    p = {k: torch.from_numpy(v.copy()).to(torch.float64) for k, v in weights.items()}
    ids = torch.tensor([SEQUENCE])
    mm.B, mm.T = 1, len(SEQUENCE)
    with torch.no_grad():
        kv16 = mm.llama_forward(p, config, ids, kv_half=True)[0]
        f32kv = mm.llama_forward(p, config, ids)[0]
    o = mf.SafetensorsWriter()
    o.i64("input_ids", ids[0])
    o.f64("logits_kv16", kv16)
    o.f64("logits_f32kv", f32kv)
    o.write(OUT)
    print(f"max |logits_kv16 - logits_f32kv| = {(kv16 - f32kv).abs().max().item():.3e}, max |logit| = {f32kv.abs().max().item():.3f}")


if __name__ == "__main__":
    main()
