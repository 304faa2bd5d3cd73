#!/usr/bin/env python3
"""PyTorch oracle for SharpLM's prompt-side PEFT methods (prompt tuning, P-tuning, prefix tuning, LLaMA-Adapter)
and Houlsby adapters.

The `peft` package is not installed, so each method's forward is written out here by hand after Hugging Face
PEFT's code (src/peft/tuners/{prompt_tuning,p_tuning,prefix_tuning,adaption_prompt}, peft_model.py):

  PROMPT_TUNING   inputs_embeds = cat(prompt_embeddings, embed(ids)); positions 0..NV+T-1 over both
  P_TUNING        the same, prompts = PromptEncoder(arange(NV)): MLP (Linear-ReLU-Linear-ReLU-Linear) or
                  bidirectional LSTM + MLP head (Linear-ReLU-Linear)
  PREFIX_TUNING   past_key_values = PrefixEncoder(arange(NV)) viewed [B, NV, 2L, Hkv, hd] and permuted to
                  per-layer keys/values; real tokens at positions NV..NV+T-1 (transformers' cache_position);
                  every query sees the whole prefix; with prefix_projection the Embedding-Linear-Tanh-Linear MLP
  ADAPTION_PROMPT the top adapter_layers attention modules add gate * softmax(q k_pᵀ/√hd) v_p (keys and
                  values of the adaption prompt through the layer's k/v projections, no RoPE, no mask), then
                  o_proj for LLaMA (PEFT's AdaptedAttention) and nothing for GPT-2 (AdaptedAttentionGPT)
  HOULSBY         SharpLM's own (PEFT has none): y + up(act(down(y))) after the attention output projection and
                  after the FFN down projection

on the tiny LLaMA (rotary, GQA) and GPT-2 base models already committed under
tests/SharpLM.Models.Tests/Fixtures/{llama_gqa,gpt2}. For each case it writes, under
tests/SharpLM.Models.Tests/Fixtures/peft/<case>/:

    adapter_config.json, adapter_model.safetensors   the adapter in PEFT's folder layout (what
                                                     PeftModel.save_pretrained writes: inference_mode true,
                                                     prompt-learning methods save `prompt_embeddings`, the
                                                     encoder's output)
    oracle.safetensors   input_ids, targets (I64), logits (F64, real tokens only), loss (F64),
                         param.<name> (F32, the trainable tensors under PEFT's module names) and
                         grad.<name> (F64) of the mean next-token cross-entropy (ignore_index -100);
                         greedy_prompt, greedy_tokens (I64): 8 greedy tokens after ids[0, :5], recomputed in full

Everything is computed in float64 from float32 parameters. Run from the repository root:

    /usr/bin/python3 tests/oracles/make_peft_prompt_fixtures.py
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402  (SafetensorsWriter, read_safetensors, rope_halves, rms_norm)
import make_model_fixtures as mm  # noqa: E402  (llama_forward, gpt2_forward: the base models without adapters)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(REPO, "tests", "SharpLM.Models.Tests", "Fixtures")
OUT = os.path.join(FIX, "peft")
B, T = 2, 8
torch.set_num_threads(1)


def load_base(name):
    with open(os.path.join(FIX, name, "config.json")) as f:
        config = json.load(f)
    _, tensors, _ = mf.read_safetensors(os.path.join(FIX, name, "model.safetensors"))
    return config, {k: torch.from_numpy(v.copy()).to(torch.float64) for k, v in tensors.items()}


# ----------------------------------------------------------------------------------------------------------
# The base forward passes with the adapter hooks (each hook is one PEFT method)
# ----------------------------------------------------------------------------------------------------------

def attention(q, k, v, scale):
    """q [B,H,Tq,D], k/v [B,Hkv,Tk,D]; causal mask aligned bottom-right (query i sees keys j <= i + Tk - Tq)."""
    rep = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
    s = q @ k.transpose(-1, -2) * scale
    tq, tk = s.shape[-2:]
    i = torch.arange(tq)[:, None]
    j = torch.arange(tk)[None, :]
    s = s.masked_fill(j > i + (tk - tq), float("-inf"))
    return torch.softmax(s, -1) @ v


ACT = {"relu": torch.relu, "gelu": F.gelu, "gelu_new": mm.gelu_new, "silu": F.silu, "swish": F.silu, "tanh": torch.tanh}


def houlsby(a, y, where, layer):
    """Houlsby adapter on the sub-layer output y: y + up(act(down(y)))."""
    if a is None or where not in a["targets"]:
        return y
    pre = a["names"][where].format(layer)
    down = y @ a["p"][pre + ".adapter_down.weight"].t() + a["p"][pre + ".adapter_down.bias"]
    return y + ACT[a["non_linearity"]](down) @ a["p"][pre + ".adapter_up.weight"].t() + a["p"][pre + ".adapter_up.bias"]


def llama(p, c, ids, prompts=None, prefix=None, adaption=None, hb=None):
    d, h, kvh = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd, eps, L = d // h, c["rms_norm_eps"], c["num_hidden_layers"]
    bsz = ids.shape[0]

    def lin(t, name):
        return t @ p[name + ".weight"].t()

    x = p["model.embed_tokens.weight"][ids]
    nv = 0
    if prompts is not None:  # PeftModelForCausalLM.forward: inputs_embeds = cat(prompts, inputs_embeds)
        nv = prompts.shape[1]
        x = torch.cat([prompts.expand(bsz, -1, -1), x], 1)
    start = prefix[0][0].shape[2] if prefix is not None else 0  # past length: positions continue after the prefix
    tt = x.shape[1]
    pos = torch.arange(start, start + tt).to(torch.float64)
    for l in range(L):
        pre = f"model.layers.{l}."
        a = mf.rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = lin(a, pre + "self_attn.q_proj").view(bsz, tt, h, hd).transpose(1, 2)
        k = lin(a, pre + "self_attn.k_proj").view(bsz, tt, kvh, hd).transpose(1, 2)
        v = lin(a, pre + "self_attn.v_proj").view(bsz, tt, kvh, hd).transpose(1, 2)
        q = mf.rope_halves(q, pos, c["rope_theta"])
        k = mf.rope_halves(k, pos, c["rope_theta"])
        if prefix is not None:  # the cache already holds the prefix keys/values (never rotated)
            k = torch.cat([prefix[l][0], k], 2)
            v = torch.cat([prefix[l][1], v], 2)
        y = attention(q, k, v, 1.0 / math.sqrt(hd)).transpose(1, 2).reshape(bsz, tt, d)
        o = lin(y, pre + "self_attn.o_proj")
        if adaption is not None and l >= L - adaption["layers"]:  # PEFT AdaptedAttention.forward
            ap, gate = adaption["p"][pre + "self_attn.adaption_prompt"], adaption["p"][pre + "self_attn.adaption_gate"]
            n = ap.shape[1]
            factor = d // (kvh * hd)  # k_proj.in_features // k_proj.out_features
            ak = lin(ap, pre + "self_attn.k_proj").view(1, n, h // factor, hd).repeat(bsz, 1, 1, 1).transpose(1, 2)
            av = lin(ap, pre + "self_attn.v_proj").view(1, n, h // factor, hd).repeat(bsz, 1, 1, 1).transpose(1, 2)
            ak, av = ak.repeat_interleave(factor, 1), av.repeat_interleave(factor, 1)
            scores = q @ ak.transpose(2, 3) / math.sqrt(hd)
            scores = gate * torch.softmax(scores, -1)
            ao = (scores @ av).transpose(1, 2).reshape(bsz, tt, -1)
            o = o + lin(ao, pre + "self_attn.o_proj")
        o = houlsby(hb, o, "attn", l)
        x = x + o
        m = mf.rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        m = lin(F.silu(lin(m, pre + "mlp.gate_proj")) * lin(m, pre + "mlp.up_proj"), pre + "mlp.down_proj")
        x = x + houlsby(hb, m, "ffn", l)
    x = mf.rms_norm(x, p["model.norm.weight"], eps)
    return (x @ p["lm_head.weight"].t())[:, nv:]


def gpt2(p, c, ids, prompts=None, prefix=None, adaption=None, hb=None):
    d, h, eps, L = c["n_embd"], c["n_head"], c["layer_norm_epsilon"], c["n_layer"]
    hd = d // h
    bsz = ids.shape[0]
    x = p["transformer.wte.weight"][ids]
    nv = 0
    if prompts is not None:
        nv = prompts.shape[1]
        x = torch.cat([prompts.expand(bsz, -1, -1), x], 1)
    start = prefix[0][0].shape[2] if prefix is not None else 0
    tt = x.shape[1]
    x = x + p["transformer.wpe.weight"][torch.arange(start, start + tt)]
    for l in range(L):
        pre = f"transformer.h.{l}."
        a = mm.layer_norm(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"], eps)
        q, k, v = (a @ p[pre + "attn.c_attn.weight"] + p[pre + "attn.c_attn.bias"]).split(d, -1)
        q, k, v = [t.view(bsz, tt, h, hd).transpose(1, 2) for t in (q, k, v)]
        if prefix is not None:
            k = torch.cat([prefix[l][0], k], 2)
            v = torch.cat([prefix[l][1], v], 2)
        y = attention(q, k, v, 1.0 / math.sqrt(hd)).transpose(1, 2).reshape(bsz, tt, d)
        o = y @ p[pre + "attn.c_proj.weight"] + p[pre + "attn.c_proj.bias"]
        if adaption is not None and l >= L - adaption["layers"]:  # PEFT AdaptedAttentionGPT.forward: no c_proj
            ap, gate = adaption["p"][pre + "attn.adaption_prompt"], adaption["p"][pre + "attn.adaption_gate"]
            n = ap.shape[1]
            _, key, value = (ap @ p[pre + "attn.c_attn.weight"] + p[pre + "attn.c_attn.bias"]).split(d, 2)
            ak = key.view(1, n, h, hd).repeat(bsz, 1, 1, 1).transpose(1, 2)
            av = value.view(1, n, h, hd).repeat(bsz, 1, 1, 1).transpose(1, 2)
            scores = gate * torch.softmax(q @ ak.transpose(2, 3) / math.sqrt(hd), -1)
            o = o + (scores @ av).transpose(1, 2).reshape(bsz, tt, -1)
        o = houlsby(hb, o, "attn", l)
        x = x + o
        m = mm.layer_norm(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"], eps)
        m = mm.gelu_new(m @ p[pre + "mlp.c_fc.weight"] + p[pre + "mlp.c_fc.bias"]) @ p[pre + "mlp.c_proj.weight"] + p[pre + "mlp.c_proj.bias"]
        x = x + houlsby(hb, m, "ffn", l)
    x = mm.layer_norm(x, p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], eps)
    return (x @ p["transformer.wte.weight"].t())[:, nv:]


FORWARD = {"llama_gqa": llama, "gpt2": gpt2}


# ----------------------------------------------------------------------------------------------------------
# The prompt encoders, after PEFT's modules
# ----------------------------------------------------------------------------------------------------------

def p_tuning_encoder(w, kind, nv, lstm=None):
    """PEFT PromptEncoder.forward(arange(NV)) in eval mode (dropout off); lstm: the torch.nn.LSTM holding w's lstm_head.*."""
    e = w["embedding.weight"][torch.arange(nv)][None]  # (1, NV, C)
    if kind == "MLP":
        hdn = torch.relu(e @ w["mlp_head.0.weight"].t() + w["mlp_head.0.bias"])
        hdn = torch.relu(hdn @ w["mlp_head.2.weight"].t() + w["mlp_head.2.bias"])
        return hdn @ w["mlp_head.4.weight"].t() + w["mlp_head.4.bias"]
    assert all(w["lstm_head." + n] is q for n, q in lstm.named_parameters())
    out = lstm(e)[0]
    hdn = torch.relu(out @ w["mlp_head.0.weight"].t() + w["mlp_head.0.bias"])
    return hdn @ w["mlp_head.2.weight"].t() + w["mlp_head.2.bias"]


def prefix_encoder(w, nv, projection):
    """PEFT PrefixEncoder.forward(arange(NV)): (1, NV, 2·L·token_dim)."""
    e = w["embedding.weight"][torch.arange(nv)][None]
    if not projection:
        return e
    return torch.tanh(e @ w["transform.0.weight"].t() + w["transform.0.bias"]) @ w["transform.2.weight"].t() + w["transform.2.bias"]


def prefix_past(kv, bsz, nv, layers, heads, hd):
    """peft_model.get_prompt: view (B, NV, 2L, H, hd), permute to (2L, B, H, NV, hd), split per layer into (k, v)."""
    pkv = kv.expand(bsz, -1, -1).reshape(bsz, nv, layers * 2, heads, hd).permute(2, 0, 3, 1, 4)
    return [(pkv[2 * l], pkv[2 * l + 1]) for l in range(layers)]


def text_init_ids(ids, total):
    """PromptEmbedding.__init__ with prompt_tuning_init TEXT: trim, or repeat then trim, to total_virtual_tokens."""
    if len(ids) > total:
        ids = ids[:total]
    elif len(ids) < total:
        ids = ids * math.ceil(total / len(ids))
    return ids[:total]


# ----------------------------------------------------------------------------------------------------------
# Writing one case
# ----------------------------------------------------------------------------------------------------------

def write_peft_safetensors(path, tensors):
    """adapter_model.safetensors as PEFT writes it (safetensors.torch.save_file, metadata {"format": "pt"})."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((-len(h)) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(path + ".tmp", path)


def prompt_learning_config(peft_type, c, base, nv, token_dim, heads, extra):
    cfg = {"auto_mapping": None, "base_model_name_or_path": f"sharplm-tests/{base}", "inference_mode": True,
           "modules_to_save": None, "num_attention_heads": heads, "num_layers": layers_of(c),
           "num_transformer_submodules": 1, "num_virtual_tokens": nv, "peft_type": peft_type, "revision": None,
           "task_type": "CAUSAL_LM", "token_dim": token_dim}
    cfg.update(extra)
    return cfg


def layers_of(c):
    return c.get("num_hidden_layers", c.get("n_layer"))


def run_case(name, base, params, forward_kwargs, config, saved, leaves=None):
    """params: trainable f32 tensors by name; forward_kwargs(p64) -> kwargs of the base forward; leaves: float64
    leaf tensors to use for some names (a torch module's own parameters)."""
    torch.manual_seed(sum(map(ord, name)))
    c, p = load_base(base)
    V = c["vocab_size"]
    ids = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    targets[0, 3] = -100
    w64 = {k: v.to(torch.float64).requires_grad_(True) for k, v in params.items()}
    w64.update(leaves or {})
    logits = FORWARD[base](p, c, ids, **forward_kwargs(w64))
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    with torch.no_grad():
        write_peft_safetensors(os.path.join(d, "adapter_model.safetensors"), saved(w64))
    o = mf.SafetensorsWriter()
    o.i64("input_ids", ids)
    o.i64("targets", targets)
    o.f64("logits", logits)
    o.f64("loss", loss)
    for k in sorted(params):
        o.f32("param." + k, params[k])
        o.f64("grad." + k, w64[k].grad)
    with torch.no_grad():  # greedy continuation of a 5-token prompt, full recomputation every step
        seq = ids[0, :5].tolist()
        for _ in range(8):
            seq.append(FORWARD[base](p, c, torch.tensor([seq]), **forward_kwargs_1(forward_kwargs, w64))[0, -1].argmax().item())
    o.i64("greedy_prompt", ids[0, :5])
    o.i64("greedy_tokens", torch.tensor(seq[5:]))
    o.write(os.path.join(d, "oracle.safetensors"))
    print(f"{name}: {sum(v.numel() for v in params.values())} adapter parameters, loss {loss.item():.6f}")


def forward_kwargs_1(forward_kwargs, w64):
    """The adapter's forward arguments for a batch of one sequence (prefix keys/values are built per batch)."""
    global B
    saved, B = B, 1
    try:
        return forward_kwargs(w64)
    finally:
        B = saved


def kaiming_linear(out_f, in_f):
    """nn.Linear's default init: weight and bias uniform in ±1/√in."""
    bound = 1.0 / math.sqrt(in_f)
    return (torch.rand(out_f, in_f) * 2 - 1) * bound, (torch.rand(out_f) * 2 - 1) * bound


def main():
    cl, pl = load_base("llama_gqa")
    cg, pg = load_base("gpt2")
    # Self-check: without adapters the hooked forward passes equal the model oracle's.
    torch.manual_seed(0)
    ids = torch.randint(0, 64, (mm.B, mm.T))
    assert torch.allclose(llama(pl, cl, ids), mm.llama_forward(pl, cl, ids), atol=1e-12)
    assert torch.allclose(gpt2(pg, cg, ids), mm.gpt2_forward(pg, cg, ids), atol=1e-12)

    # ---- Houlsby adapters (SharpLM's HOULSBY; config fields after AdapterHub/PEFT naming) ----
    for base, c, names, act in (("llama_gqa", cl, {"attn": "model.layers.{0}.self_attn.o_proj", "ffn": "model.layers.{0}.mlp.down_proj"}, "silu"),
                                ("gpt2", cg, {"attn": "transformer.h.{0}.attn.c_proj", "ffn": "transformer.h.{0}.mlp.c_proj"}, "gelu_new")):
        torch.manual_seed(1)
        d = c.get("hidden_size", c.get("n_embd"))
        r = 4
        params = {}
        for l in range(layers_of(c)):
            for where in ("attn", "ffn"):
                pre = "base_model.model." + names[where].format(l)
                params[pre + ".adapter_down.weight"] = 0.3 * torch.randn(d // r, d)
                params[pre + ".adapter_down.bias"] = 0.1 * torch.randn(d // r)
                params[pre + ".adapter_up.weight"] = 0.3 * torch.randn(d, d // r)  # zero at init; trained values here
                params[pre + ".adapter_up.bias"] = 0.1 * torch.randn(d)
        cfg = {"base_model_name_or_path": f"sharplm-tests/{base}", "inference_mode": True, "non_linearity": act,
               "peft_type": "HOULSBY", "reduction_factor": r, "revision": None, "target_modules": ["attn", "ffn"],
               "task_type": "CAUSAL_LM"}
        hb_names = {k: "base_model.model." + v for k, v in names.items()}
        run_case(f"houlsby_{base}", base, params,
                 lambda w, hb_names=hb_names, act=act: {"hb": {"targets": ("attn", "ffn"), "names": hb_names, "p": w, "non_linearity": act}},
                 cfg, lambda w: w)

    # ---- Prompt tuning ----
    for base, c in (("llama_gqa", cl), ("gpt2", cg)):
        torch.manual_seed(2)
        nv = 5
        d = c.get("hidden_size", c.get("n_embd"))
        params = {"embedding.weight": torch.randn(nv, d)}  # nn.Embedding's N(0, 1) (RANDOM init)
        cfg = prompt_learning_config("PROMPT_TUNING", c, base, nv, d, c.get("num_attention_heads", c.get("n_head")),
                                     {"prompt_tuning_init": "RANDOM", "prompt_tuning_init_text": None,
                                      "tokenizer_kwargs": None, "tokenizer_name_or_path": None})
        run_case(f"prompt_{base}", base, params, lambda w: {"prompts": w["embedding.weight"][None]}, cfg,
                 lambda w: {"prompt_embeddings": w["embedding.weight"]})

    # ---- P-tuning (MLP and LSTM) on LLaMA ----
    nv, d, hid = 4, cl["hidden_size"], 12
    torch.manual_seed(3)
    params = {"embedding.weight": torch.randn(nv, d)}
    for i, (o_, i_) in zip((0, 2, 4), ((hid, d), (hid, hid), (d, hid))):
        params[f"mlp_head.{i}.weight"], params[f"mlp_head.{i}.bias"] = kaiming_linear(o_, i_)
    cfg = prompt_learning_config("P_TUNING", cl, "llama_gqa", nv, d, cl["num_attention_heads"],
                                 {"encoder_dropout": 0.0, "encoder_hidden_size": hid, "encoder_num_layers": 2,
                                  "encoder_reparameterization_type": "MLP"})
    run_case("ptuning_mlp_llama_gqa", "llama_gqa", params, lambda w: {"prompts": p_tuning_encoder(w, "MLP", nv)}, cfg,
             lambda w: {"prompt_embeddings": p_tuning_encoder(w, "MLP", nv)[0]})

    torch.manual_seed(4)
    layers = 2
    params = {"embedding.weight": torch.randn(nv, d)}
    bound = 1.0 / math.sqrt(hid)  # torch.nn.LSTM's init
    for l in range(layers):
        for sfx in ("", "_reverse"):
            in_f = d if l == 0 else 2 * hid
            params[f"lstm_head.weight_ih_l{l}{sfx}"] = (torch.rand(4 * hid, in_f) * 2 - 1) * bound
            params[f"lstm_head.weight_hh_l{l}{sfx}"] = (torch.rand(4 * hid, hid) * 2 - 1) * bound
            params[f"lstm_head.bias_ih_l{l}{sfx}"] = (torch.rand(4 * hid) * 2 - 1) * bound
            params[f"lstm_head.bias_hh_l{l}{sfx}"] = (torch.rand(4 * hid) * 2 - 1) * bound
    params["mlp_head.0.weight"], params["mlp_head.0.bias"] = kaiming_linear(2 * hid, 2 * hid)
    params["mlp_head.2.weight"], params["mlp_head.2.bias"] = kaiming_linear(d, 2 * hid)
    cfg = prompt_learning_config("P_TUNING", cl, "llama_gqa", nv, d, cl["num_attention_heads"],
                                 {"encoder_dropout": 0.0, "encoder_hidden_size": hid, "encoder_num_layers": layers,
                                  "encoder_reparameterization_type": "LSTM"})
    # PyTorch's own LSTM is the oracle: its parameters (float64 copies of ours) are the leaves whose gradients are kept.
    lstm = torch.nn.LSTM(d, hid, num_layers=layers, bidirectional=True, batch_first=True).to(torch.float64).eval()
    with torch.no_grad():
        for n, q in lstm.named_parameters():
            q.copy_(params["lstm_head." + n])
    run_case("ptuning_lstm_llama_gqa", "llama_gqa", params, lambda w: {"prompts": p_tuning_encoder(w, "LSTM", nv, lstm)}, cfg,
             lambda w: {"prompt_embeddings": p_tuning_encoder(w, "LSTM", nv, lstm)[0]},
             leaves={"lstm_head." + n: q for n, q in lstm.named_parameters()})

    # ---- Prefix tuning, with and without the reparameterisation MLP ----
    for base, c in (("llama_gqa", cl), ("gpt2", cg)):
        h = c.get("num_attention_heads", c.get("n_head"))
        d = c.get("hidden_size", c.get("n_embd"))
        kvh = c.get("num_key_value_heads", h)  # peft utils._prepare_prompt_learning_config: GQA keys/values
        hd = d // h
        token_dim, L, nv, hid = kvh * hd, layers_of(c), 3, 20
        for projection in (False, True):
            torch.manual_seed(5 + projection)
            if projection:
                params = {"embedding.weight": torch.randn(nv, token_dim)}
                params["transform.0.weight"], params["transform.0.bias"] = kaiming_linear(hid, token_dim)
                params["transform.2.weight"], params["transform.2.bias"] = kaiming_linear(L * 2 * token_dim, hid)
            else:
                params = {"embedding.weight": torch.randn(nv, L * 2 * token_dim)}
            cfg = prompt_learning_config("PREFIX_TUNING", c, base, nv, token_dim, kvh,
                                         {"encoder_hidden_size": hid if projection else token_dim, "init_weights": None,
                                          "prefix_projection": projection})
            run_case(f"prefix_{'proj' if projection else 'plain'}_{base}", base, params,
                     lambda w, projection=projection, L=L, kvh=kvh, hd=hd, nv=nv:
                     {"prefix": prefix_past(prefix_encoder(w, nv, projection), B, nv, L, kvh, hd)},
                     cfg, lambda w, projection=projection, nv=nv: {"prompt_embeddings": prefix_encoder(w, nv, projection)[0]})

    # ---- LLaMA-Adapter (ADAPTION_PROMPT) in the top layer ----
    for base, c, target, stem in (("llama_gqa", cl, "self_attn", "model.layers"), ("gpt2", cg, "attn", "transformer.h")):
        torch.manual_seed(7)
        d = c.get("hidden_size", c.get("n_embd"))
        L, n, top = layers_of(c), 3, 1
        params = {}
        for l in range(L - top, L):
            pre = f"base_model.model.{stem}.{l}.{target}."
            params[pre + "adaption_prompt"] = torch.randn(1, n, d)  # PEFT: normal_() init
            params[pre + "adaption_gate"] = torch.tensor([0.6 - 0.1 * l])  # zero at init; a trained value here
        cfg = {"adapter_layers": top, "adapter_len": n, "auto_mapping": None, "base_model_name_or_path": f"sharplm-tests/{base}",
               "inference_mode": True, "peft_type": "ADAPTION_PROMPT", "revision": None, "target_modules": target,
               "task_type": "CAUSAL_LM"}
        run_case(f"adaption_{base}", base, params,
                 lambda w: {"adaption": {"layers": top, "p": {k.removeprefix("base_model.model."): v for k, v in w.items()}}}, cfg,
                 lambda w: w)

    # ---- prompt_tuning_init TEXT: PEFT's trim-or-repeat of the init text's token ids ----
    o = mf.SafetensorsWriter()
    for i, (ids, total) in enumerate((([5, 9, 2], 7), ([4, 8, 15, 16, 23, 42], 4), ([3, 1], 2))):
        o.i64(f"text_ids.{i}", torch.tensor(ids))
        o.i64(f"init_ids.{i}", torch.tensor(text_init_ids(ids, total)))
    o.write(os.path.join(OUT, "text_init.safetensors"))


if __name__ == "__main__":
    main()
