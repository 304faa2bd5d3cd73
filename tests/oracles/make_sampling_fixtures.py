#!/usr/bin/env python3
"""PyTorch oracle for SharpLM's logits processors.

Implements, in torch, the reference semantics SharpLM follows: Hugging Face generate()'s
RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper and
MinPLogitsWarper (same algorithms: gather/scatter, ascending sort + cumulative softmax for top-p), and the
OpenAI API's logit_bias and frequency/presence penalties. Order: bias, repetition, frequency/presence,
temperature, top-k, top-p, min-p. Writes tests/SharpLM.Inference.Tests/Fixtures/sampling.json.

    /usr/bin/python3 tests/oracles/make_sampling_fixtures.py
"""
import json
import math
import os

import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "SharpLM.Inference.Tests", "Fixtures", "sampling.json")
V = 50


def process(logits, history, o):
    s = logits.clone().unsqueeze(0)  # [1, V], float32 like HF
    for tok, b in (o.get("logit_bias") or {}).items():
        s[0, int(tok)] += b
    rp = o.get("repetition_penalty", 1.0)
    if rp != 1.0 and history:
        ids = torch.tensor([history])
        score = torch.gather(s, 1, ids)
        score = torch.where(score < 0, score * rp, score / rp)
        s = s.scatter(1, ids, score)
    fp, pp = o.get("frequency_penalty", 0.0), o.get("presence_penalty", 0.0)
    if (fp or pp) and history:
        counts = torch.bincount(torch.tensor(history), minlength=V).to(torch.float32)
        s = s - counts * fp - (counts > 0).to(torch.float32) * pp
    t = o.get("temperature", 1.0)
    if t == 0:
        return s[0]
    s = s / t
    k = o.get("top_k", 0)
    if k > 0:
        k = min(k, V)
        remove = s < torch.topk(s, k)[0][..., -1, None]
        s = s.masked_fill(remove, -float("inf"))
    p = o.get("top_p", 1.0)
    if p < 1.0:
        sl, si = torch.sort(s, descending=False)
        cp = sl.softmax(dim=-1).cumsum(dim=-1)
        rm = cp <= (1 - p)
        rm[..., -1:] = 0
        s = s.masked_fill(rm.scatter(1, si, rm), -float("inf"))
    mp = o.get("min_p", 0.0)
    if mp > 0:
        probs = torch.softmax(s, dim=-1)
        top = probs.amax(dim=-1, keepdim=True)
        rm = probs < mp * top
        s = s.masked_fill(rm, -float("inf"))
    return s[0]


def main():
    torch.manual_seed(4321)
    cases = {
        "repetition": {"repetition_penalty": 1.3},
        "frequency_presence": {"frequency_penalty": 0.5, "presence_penalty": 0.3},
        "temperature_top_k": {"temperature": 0.7, "top_k": 10},
        "top_p": {"top_p": 0.9},
        "min_p": {"min_p": 0.1},
        "greedy_with_penalties": {"temperature": 0.0, "repetition_penalty": 1.5, "logit_bias": {"4": 2.0}},
        "combined": {"logit_bias": {"3": 5.0, "7": -3.0}, "repetition_penalty": 1.2, "frequency_penalty": 0.2,
                     "presence_penalty": 0.1, "temperature": 0.8, "top_k": 20, "top_p": 0.95, "min_p": 0.05},
    }
    out = {"generator": "tests/oracles/make_sampling_fixtures.py", "torch": str(torch.__version__), "vocab": V, "cases": []}
    for name, o in cases.items():
        logits = (torch.randn(V) * 2.0).to(torch.float32)
        history = torch.randint(0, V, (12,)).tolist() + [int(torch.argmax(logits))]
        res = process(logits, history, o)
        out["cases"].append({
            "name": name, "options": o, "history": history,
            "logits": [float(x) for x in logits],
            "expected": [None if math.isinf(float(x)) else float(x) for x in res],
            "expected_argmax": int(torch.argmax(res)),
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {OUT}: {len(out['cases'])} cases")


if __name__ == "__main__":
    main()
