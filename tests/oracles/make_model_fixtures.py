#!/usr/bin/env python3
"""PyTorch oracle for SharpLM's model families.

Builds small random-weight decoder models written out explicitly in PyTorch after the public reference
architectures (Hugging Face GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM, Baichuan-13B with ALiBi),
and writes for each, under tests/SharpLM.Models.Tests/Fixtures/<name>/:

    config.json         a Hugging Face style config for the architecture
    model.safetensors   the F32 weights under their Hugging Face names
    oracle.safetensors  input_ids, targets (I64), logits (F64), loss (F64, 0-dim) and grad.<name> (F64)
                        for the mean next-token cross-entropy (ignore_index -100)

Everything is computed in float64 from the stored float32 weights. Run from the repository root with
Debian's Python (python3-torch):

    /usr/bin/python3 tests/oracles/make_model_fixtures.py
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402  (SafetensorsWriter, rope_halves, attention)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "SharpLM.Models.Tests", "Fixtures")
B, T = 2, 8


def alibi_slopes(n):
    closest = 2 ** math.floor(math.log2(n))
    base = 2.0 ** (-8.0 / closest)
    s = [base ** (i + 1) for i in range(closest)]
    if closest < n:
        extra = 2.0 ** (-4.0 / closest)
        s += [extra ** (2 * i + 1) for i in range(n - closest)]
    return torch.tensor(s, dtype=torch.float64)


def layer_norm(x, w, b, eps):
    return F.layer_norm(x, (x.shape[-1],), w, b, eps)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def gpt2_forward(p, c, ids):
    d, h = c["n_embd"], c["n_head"]
    hd = d // h
    x = p["transformer.wte.weight"][ids] + p["transformer.wpe.weight"][torch.arange(ids.shape[1])]
    for l in range(c["n_layer"]):
        pre = f"transformer.h.{l}."
        a = layer_norm(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"], c["layer_norm_epsilon"])
        qkv = a @ p[pre + "attn.c_attn.weight"] + p[pre + "attn.c_attn.bias"]  # Conv1D: x W + b
        q, k, v = qkv.split(d, dim=-1)
        q, k, v = [t.view(B, T, h, hd).transpose(1, 2) for t in (q, k, v)]
        y = mf.attention(q, k, v, 1.0 / math.sqrt(hd), causal=True).transpose(1, 2).reshape(B, T, d)
        x = x + y @ p[pre + "attn.c_proj.weight"] + p[pre + "attn.c_proj.bias"]
        m = layer_norm(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"], c["layer_norm_epsilon"])
        m = gelu_new(m @ p[pre + "mlp.c_fc.weight"] + p[pre + "mlp.c_fc.bias"])
        x = x + m @ p[pre + "mlp.c_proj.weight"] + p[pre + "mlp.c_proj.bias"]
    x = layer_norm(x, p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], c["layer_norm_epsilon"])
    return x @ p["transformer.wte.weight"].t()  # tied head


def rope_settings(c):
    """(theta, linear factor) from either config form: transformers <= 4 top-level rope_theta/rope_scaling,
    transformers 5 rope_parameters {rope_type, rope_theta, factor}."""
    rp = c.get("rope_parameters") or c.get("rope_scaling") or {}
    theta = rp.get("rope_theta", c.get("rope_theta", 10000.0))
    kind = rp.get("rope_type", rp.get("type", "default"))
    assert kind in ("default", "linear"), kind
    return theta, (rp["factor"] if kind == "linear" else 1.0)


def llama_forward(p, c, ids, fused=False, alibi=False, qkv_bias=False, kv_half=False, qk_norm=False):
    """LLaMA and its relatives; qk_norm: Qwen3 (head_dim from the config, RMSNorm of each q/k head before RoPE)."""
    d, h = c["hidden_size"], c["num_attention_heads"]
    kvh = c.get("num_key_value_heads", h)
    hd = c.get("head_dim", d // h)
    eps = c["rms_norm_eps"]
    x = p["model.embed_tokens.weight"][ids]
    pos = torch.arange(ids.shape[1])
    slopes = alibi_slopes(h) if alibi else None

    def lin(t, name, bias=False):
        y = t @ p[name + ".weight"].t()
        return y + p[name + ".bias"] if bias else y

    for l in range(c["num_hidden_layers"]):
        pre = f"model.layers.{l}."
        a = mf.rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        if fused:
            q, k, v = lin(a, pre + "self_attn.W_pack").split([d, kvh * hd, kvh * hd], dim=-1)
        else:
            q = lin(a, pre + "self_attn.q_proj", qkv_bias)
            k = lin(a, pre + "self_attn.k_proj", qkv_bias)
            v = lin(a, pre + "self_attn.v_proj", qkv_bias)
        q = q.view(B, T, h, hd)
        k = k.view(B, T, kvh, hd)
        if qk_norm:  # Qwen3Attention: q_norm/k_norm over head_dim, before the transpose and RoPE
            q = mf.rms_norm(q, p[pre + "self_attn.q_norm.weight"], eps)
            k = mf.rms_norm(k, p[pre + "self_attn.k_norm.weight"], eps)
        q = q.transpose(1, 2)
        k = k.transpose(1, 2)
        v = v.view(B, T, kvh, hd).transpose(1, 2)
        if not alibi:
            theta, factor = rope_settings(c)
            q = mf.rope_halves(q, pos / factor, theta)
            k = mf.rope_halves(k, pos / factor, theta)
        if kv_half:  # an fp16 KV cache: keys (after RoPE) and values rounded to fp16 where they are stored
            k, v = k.to(torch.float16).to(k.dtype), v.to(torch.float16).to(v.dtype)
        y = mf.attention(q, k, v, 1.0 / math.sqrt(hd), causal=True, alibi_slopes=slopes)
        x = x + lin(y.transpose(1, 2).reshape(B, T, h * hd), pre + "self_attn.o_proj")
        m = mf.rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        x = x + lin(F.silu(lin(m, pre + "mlp.gate_proj")) * lin(m, pre + "mlp.up_proj"), pre + "mlp.down_proj")
    x = mf.rms_norm(x, p["model.norm.weight"], eps)
    head = p["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else p["lm_head.weight"]
    if "z_loss_weight" in c:  # Baichuan 2's NormHead: logits against the L2-normalised rows of lm_head
        head = F.normalize(head, dim=-1)
    return x @ head.t()


def make_params(shapes):
    p = {}
    for name, shape in shapes:
        if "norm" in name or "ln_" in name:
            t = (1.0 + 0.1 * torch.randn(*shape)) if name.endswith("weight") else 0.1 * torch.randn(*shape)
        elif name.endswith("bias"):
            t = 0.1 * torch.randn(*shape)
        else:
            t = 0.2 * torch.randn(*shape)
        p[name] = t.to(torch.float32)
    return p


def gpt2_shapes(c):
    d, f, V = c["n_embd"], 4 * c["n_embd"], c["vocab_size"]
    s = [("transformer.wte.weight", (V, d)), ("transformer.wpe.weight", (c["n_positions"], d))]
    for l in range(c["n_layer"]):
        pre = f"transformer.h.{l}."
        s += [(pre + "ln_1.weight", (d,)), (pre + "ln_1.bias", (d,)),
              (pre + "attn.c_attn.weight", (d, 3 * d)), (pre + "attn.c_attn.bias", (3 * d,)),
              (pre + "attn.c_proj.weight", (d, d)), (pre + "attn.c_proj.bias", (d,)),
              (pre + "ln_2.weight", (d,)), (pre + "ln_2.bias", (d,)),
              (pre + "mlp.c_fc.weight", (d, f)), (pre + "mlp.c_fc.bias", (f,)),
              (pre + "mlp.c_proj.weight", (f, d)), (pre + "mlp.c_proj.bias", (d,))]
    return s + [("transformer.ln_f.weight", (d,)), ("transformer.ln_f.bias", (d,))]


def llama_shapes(c, fused=False, qkv_bias=False, qk_norm=False):
    d, f, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    h = c["num_attention_heads"]
    hd = c.get("head_dim", d // h)
    kv, qd = c.get("num_key_value_heads", h) * hd, h * hd
    s = [("model.embed_tokens.weight", (V, d))]
    for l in range(c["num_hidden_layers"]):
        pre = f"model.layers.{l}."
        s += [(pre + "input_layernorm.weight", (d,))]
        if fused:
            s += [(pre + "self_attn.W_pack.weight", (d + 2 * kv, d))]
        else:
            s += [(pre + "self_attn.q_proj.weight", (qd, d)), (pre + "self_attn.k_proj.weight", (kv, d)), (pre + "self_attn.v_proj.weight", (kv, d))]
            if qkv_bias:
                s += [(pre + "self_attn.q_proj.bias", (qd,)), (pre + "self_attn.k_proj.bias", (kv,)), (pre + "self_attn.v_proj.bias", (kv,))]
        if qk_norm:
            s += [(pre + "self_attn.q_norm.weight", (hd,)), (pre + "self_attn.k_norm.weight", (hd,))]
        s += [(pre + "self_attn.o_proj.weight", (d, qd)), (pre + "post_attention_layernorm.weight", (d,)),
              (pre + "mlp.gate_proj.weight", (f, d)), (pre + "mlp.up_proj.weight", (f, d)), (pre + "mlp.down_proj.weight", (d, f))]
    s += [("model.norm.weight", (d,))]
    if not c.get("tie_word_embeddings", False):
        s += [("lm_head.weight", (V, d))]
    return s


def bert_shapes(c):
    d, f, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    s = [("bert.embeddings.word_embeddings.weight", (V, d)), ("bert.embeddings.position_embeddings.weight", (c["max_position_embeddings"], d)),
         ("bert.embeddings.token_type_embeddings.weight", (c["type_vocab_size"], d)),
         ("bert.embeddings.LayerNorm.weight", (d,)), ("bert.embeddings.LayerNorm.bias", (d,))]
    for l in range(c["num_hidden_layers"]):
        pre = f"bert.encoder.layer.{l}."
        for n in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            s += [(pre + n + ".weight", (d, d)), (pre + n + ".bias", (d,))]
        s += [(pre + "attention.output.LayerNorm.weight", (d,)), (pre + "attention.output.LayerNorm.bias", (d,)),
              (pre + "intermediate.dense.weight", (f, d)), (pre + "intermediate.dense.bias", (f,)),
              (pre + "output.dense.weight", (d, f)), (pre + "output.dense.bias", (d,)),
              (pre + "output.LayerNorm.weight", (d,)), (pre + "output.LayerNorm.bias", (d,))]
    return s + [("cls.predictions.transform.dense.weight", (d, d)), ("cls.predictions.transform.dense.bias", (d,)),
                ("cls.predictions.transform.LayerNorm.weight", (d,)), ("cls.predictions.transform.LayerNorm.bias", (d,)),
                ("cls.predictions.bias", (V,))]


def mha(p, pre, x, mem, heads, causal, key_mask=None):
    """Biased q/k/v/o projections; key_mask [B, Tk] with 1 = attend."""
    Bq, Tq, d = x.shape
    Tk = mem.shape[1]
    hd = d // heads

    def lin(t, n):
        return t @ p[pre + n + ".weight"].t() + p[pre + n + ".bias"]

    names = ("self.query", "self.key", "self.value", "output.dense") if pre.endswith("attention.") else ("q_proj", "k_proj", "v_proj", "out_proj")
    q = lin(x, names[0]).view(Bq, Tq, heads, hd).transpose(1, 2)
    k = lin(mem, names[1]).view(Bq, Tk, heads, hd).transpose(1, 2)
    v = lin(mem, names[2]).view(Bq, Tk, heads, hd).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(hd)
    if key_mask is not None:
        s = s + (1.0 - key_mask.to(torch.float64))[:, None, None, :] * torch.finfo(torch.float64).min
    if causal:
        i = torch.arange(Tq)[:, None]
        j = torch.arange(Tk)[None, :]
        s = s.masked_fill(j > i, float("-inf"))
    y = torch.softmax(s, -1) @ v
    return lin(y.transpose(1, 2).reshape(Bq, Tq, d), names[3])


def bert_forward(p, c, ids, types, mask):
    d, eps = c["hidden_size"], c["layer_norm_eps"]
    T_ = ids.shape[1]
    x = p["bert.embeddings.word_embeddings.weight"][ids] + p["bert.embeddings.position_embeddings.weight"][torch.arange(T_)] \
        + p["bert.embeddings.token_type_embeddings.weight"][types]
    x = layer_norm(x, p["bert.embeddings.LayerNorm.weight"], p["bert.embeddings.LayerNorm.bias"], eps)
    for l in range(c["num_hidden_layers"]):
        pre = f"bert.encoder.layer.{l}."
        a = mha(p, pre + "attention.", x, x, c["num_attention_heads"], False, mask)
        x = layer_norm(x + a, p[pre + "attention.output.LayerNorm.weight"], p[pre + "attention.output.LayerNorm.bias"], eps)
        m = F.gelu(x @ p[pre + "intermediate.dense.weight"].t() + p[pre + "intermediate.dense.bias"])
        x = layer_norm(x + m @ p[pre + "output.dense.weight"].t() + p[pre + "output.dense.bias"], p[pre + "output.LayerNorm.weight"], p[pre + "output.LayerNorm.bias"], eps)
    h = F.gelu(x @ p["cls.predictions.transform.dense.weight"].t() + p["cls.predictions.transform.dense.bias"])
    h = layer_norm(h, p["cls.predictions.transform.LayerNorm.weight"], p["cls.predictions.transform.LayerNorm.bias"], eps)
    return h @ p["bert.embeddings.word_embeddings.weight"].t() + p["cls.predictions.bias"]


def sinusoidal(T_, d):
    pe = torch.zeros(T_, d, dtype=torch.float64)
    pos = torch.arange(T_, dtype=torch.float64)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float64)[None, :]
    ang = pos / torch.pow(10000.0, i / d)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang)
    return pe


def seq2seq_shapes(c):
    d, f, V = c["d_model"], c["ffn_dim"], c["vocab_size"]
    s = [("shared.weight", (V, d))]

    def attn(pre):
        return [(pre + n + sfx, (d, d) if sfx == ".weight" else (d,)) for n in ("q_proj", "k_proj", "v_proj", "out_proj") for sfx in (".weight", ".bias")]

    def ln(pre):
        return [(pre + ".weight", (d,)), (pre + ".bias", (d,))]

    def ffn(pre):
        return [(pre + "fc1.weight", (f, d)), (pre + "fc1.bias", (f,)), (pre + "fc2.weight", (d, f)), (pre + "fc2.bias", (d,))]

    for l in range(c["encoder_layers"]):
        pre = f"encoder.layers.{l}."
        s += attn(pre + "self_attn.") + ln(pre + "self_attn_layer_norm") + ffn(pre) + ln(pre + "final_layer_norm")
    for l in range(c["decoder_layers"]):
        pre = f"decoder.layers.{l}."
        s += attn(pre + "self_attn.") + ln(pre + "self_attn_layer_norm") + attn(pre + "encoder_attn.") + ln(pre + "encoder_attn_layer_norm") \
            + ffn(pre) + ln(pre + "final_layer_norm")
    return s


def seq2seq_forward(p, c, src, tgt):
    d, h, eps = c["d_model"], c["encoder_attention_heads"], 1e-5

    def embed(ids):
        return p["shared.weight"][ids] * math.sqrt(d) + sinusoidal(ids.shape[1], d)

    def ffn(pre, x):
        return torch.relu(x @ p[pre + "fc1.weight"].t() + p[pre + "fc1.bias"]) @ p[pre + "fc2.weight"].t() + p[pre + "fc2.bias"]

    def ln(pre, x):
        return layer_norm(x, p[pre + ".weight"], p[pre + ".bias"], eps)

    x = embed(src)
    for l in range(c["encoder_layers"]):
        pre = f"encoder.layers.{l}."
        x = ln(pre + "self_attn_layer_norm", x + mha(p, pre + "self_attn.", x, x, h, False))
        x = ln(pre + "final_layer_norm", x + ffn(pre, x))
    y = embed(tgt)
    for l in range(c["decoder_layers"]):
        pre = f"decoder.layers.{l}."
        y = ln(pre + "self_attn_layer_norm", y + mha(p, pre + "self_attn.", y, y, h, True))
        y = ln(pre + "encoder_attn_layer_norm", y + mha(p, pre + "encoder_attn.", y, x, h, False))
        y = ln(pre + "final_layer_norm", y + ffn(pre, y))
    return y @ p["shared.weight"].t()


def write_case(name, config, shapes, forward, extra_inputs=None):
    global B, T  # the forward functions read the batch/time globals; the greedy loop changes them
    if ONLY and name not in ONLY:
        return
    torch.manual_seed(sum(map(ord, name)))  # a fixed seed per case
    params = make_params(shapes)
    V = config["vocab_size"]
    ids = torch.randint(0, V, (B, T))
    inputs = {"input_ids": ids}
    if extra_inputs is not None:
        inputs.update(extra_inputs())
    T_out = inputs["decoder_input_ids"].shape[1] if "decoder_input_ids" in inputs else T
    targets = torch.randint(0, V, (B, T_out))
    targets[0, 3] = -100
    p64 = {k: v.to(torch.float64).requires_grad_(True) for k, v in params.items()}
    logits = forward(p64, config, *inputs.values())
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    w = mf.SafetensorsWriter()
    for k in sorted(params):
        w.f32(k, params[k])
    w.write(os.path.join(d, "model.safetensors"))
    o = mf.SafetensorsWriter()
    for k, v in inputs.items():
        o.i64(k, v)
    o.i64("targets", targets)
    o.f64("logits", logits)
    o.f64("loss", loss)
    for k in sorted(p64):
        o.f64("grad." + k, p64[k].grad)
    if extra_inputs is None:  # decoder-only: greedy continuation of a short prompt, full recompute each step
        saved = (B, T)
        seq = ids[0, :5].tolist()
        with torch.no_grad():
            for _ in range(12):
                B, T = 1, len(seq)
                nxt = forward(p64, config, torch.tensor([seq]))[0, -1].argmax().item()
                seq.append(nxt)
            # Beam search, 3 beams, 5 new tokens, length penalty 1.0, with one stop token (SharpLM's BeamSearch semantics).
            prompt = ids[0, :5].tolist()
            stop = seq[7]
            live, finished = [([], 0.0)], []
            for step in range(5):
                cand = []
                for b, (toks, s_) in enumerate(live):
                    B, T = 1, len(prompt) + len(toks)
                    lp = torch.log_softmax(forward(p64, config, torch.tensor([prompt + toks]))[0, -1], -1)
                    cand += [(s_ + float(lp[t]), b, t) for t in range(V)]
                cand.sort(key=lambda x: (-x[0], x[1], x[2]))
                nxt, rank = [], 0
                for s_, b, t in cand:
                    if len(nxt) == 3:
                        break
                    toks = live[b][0] + [t]
                    if t == stop:
                        if rank < 3:
                            finished.append((toks, s_, s_ / len(toks) ** 1.0))
                        rank += 1
                        continue
                    nxt.append((toks, s_))
                    rank += 1
                if step == 4 or not nxt:
                    finished += [(tk, s_, s_ / len(tk) ** 1.0) for tk, s_ in nxt]
                    break
                live = nxt
            finished.sort(key=lambda h: -h[2])
            finished = finished[:3]
        B, T = saved
        o.i64("beam_stop", torch.tensor([stop]))
        o.f64("beam_scores", torch.tensor([h[2] for h in finished], dtype=torch.float64))
        for i, h in enumerate(finished):
            o.i64(f"beam_tokens.{i}", torch.tensor(h[0]))
        o.i64("greedy_prompt", ids[0, :5])
        o.i64("greedy_tokens", torch.tensor(seq[5:]))
    o.write(os.path.join(d, "oracle.safetensors"))
    print(f"{name}: {sum(v.numel() for v in params.values())} parameters, loss {loss.item():.6f}")


def main():
    gpt2 = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 64, "n_embd": 32, "n_layer": 2,
            "n_head": 4, "n_positions": 32, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "tie_word_embeddings": True}
    write_case("gpt2", gpt2, gpt2_shapes(gpt2), gpt2_forward)

    llama = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 32,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 48,
             "max_position_embeddings": 32, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": False}
    write_case("llama_gqa", llama, llama_shapes(llama), llama_forward)

    # The transformers 5 form: RoPE settings only inside rope_parameters (theta 500000, linear factor 4).
    llama5 = {k: v for k, v in llama.items() if k != "rope_theta"}
    llama5["rope_parameters"] = {"rope_theta": 500000.0, "rope_type": "linear", "factor": 4.0}
    llama5["transformers_version"] = "5.0.0"
    write_case("llama_rope_params", llama5, llama_shapes(llama5), llama_forward)

    qwen = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 64, "hidden_size": 32,
            "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1, "intermediate_size": 48,
            "max_position_embeddings": 32, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": True}
    write_case("qwen2_mqa", qwen, llama_shapes(qwen, qkv_bias=True), lambda p, c, i: llama_forward(p, c, i, qkv_bias=True))

    baichuan = {"architectures": ["BaichuanForCausalLM"], "model_type": "baichuan", "vocab_size": 64, "hidden_size": 32,
                "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "model_max_length": 32,
                "rms_norm_eps": 1e-6, "tie_word_embeddings": False}
    bert = {"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 64, "hidden_size": 32, "num_hidden_layers": 2,
            "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 32, "type_vocab_size": 2,
            "layer_norm_eps": 1e-12, "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}

    def bert_inputs():
        types = torch.zeros(B, T, dtype=torch.int64)
        types[:, T // 2:] = 1
        mask = torch.ones(B, T, dtype=torch.int64)
        mask[1, T - 2:] = 0
        return {"token_type_ids": types, "attention_mask": mask}
    write_case("bert_mlm", bert, bert_shapes(bert), bert_forward, bert_inputs)

    s2s = {"architectures": ["SharpLMTransformerSeq2Seq"], "model_type": "transformer-seq2seq", "vocab_size": 64, "d_model": 32,
           "encoder_layers": 2, "decoder_layers": 2, "encoder_attention_heads": 4, "ffn_dim": 64, "max_position_embeddings": 32,
           "dropout": 0.0, "activation_function": "relu", "scale_embedding": True}
    write_case("seq2seq", s2s, seq2seq_shapes(s2s), seq2seq_forward, lambda: {"decoder_input_ids": torch.randint(0, 64, (B, 6))})

    write_case("baichuan_alibi", baichuan, llama_shapes(baichuan, fused=True), lambda p, c, i: llama_forward(p, c, i, fused=True, alibi=True))

    # Baichuan 2 (7B layout: RoPE, W_pack) marks itself with z_loss_weight; its lm_head is a NormHead.
    baichuan2 = {"architectures": ["BaichuanForCausalLM"], "model_type": "baichuan", "vocab_size": 64, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "max_position_embeddings": 32,
                 "model_max_length": 32, "rms_norm_eps": 1e-6, "tie_word_embeddings": False, "z_loss_weight": 0}
    write_case("baichuan2_normhead", baichuan2, llama_shapes(baichuan2, fused=True), lambda p, c, i: llama_forward(p, c, i, fused=True))

    # Qwen3: head_dim 16 ≠ hidden/heads (attention 64 wide over hidden 32), per-head q/k RMSNorm, GQA, tied head.
    qwen3 = {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 64, "hidden_size": 32,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 48,
             "max_position_embeddings": 32, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": True,
             "attention_bias": False, "use_sliding_window": False, "sliding_window": None, "max_window_layers": 2,
             "hidden_act": "silu", "attention_dropout": 0.0}
    write_case("qwen3_qknorm", qwen3, llama_shapes(qwen3, qk_norm=True), lambda p, c, i: llama_forward(p, c, i, qk_norm=True))


ONLY = set(sys.argv[1:])  # fixture names to (re)write; all when none given

if __name__ == "__main__":
    main()
