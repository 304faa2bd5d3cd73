#!/usr/bin/env python3
"""PyTorch oracle for SharpLM's linear-wrapper PEFT methods (LoRA, rsLoRA, DoRA, IA3).

The `peft` package is not in Debian, so its math and its adapter folder layout are written out here by hand, after
huggingface/peft: tuners/lora/layer.py (Linear.forward, scaling alpha/r or alpha/sqrt(r) for use_rslora,
get_delta_weight), tuners/lora/dora.py (DoraLinearLayer: magnitude / ||W + s*B@A|| per output row, the norm
computed from the detached LoRA weight and detached itself, result = (scale - 1) * (y - bias) + scale * s * B A x),
tuners/ia3/layer.py (ia3_l [out, 1] scales the output, [1, in] scales the input of feedforward modules),
tuners/tuners_utils.py check_target_module_exists (list: equal or "." suffix, plus layers_to_transform; string:
re.fullmatch), utils/other.py get_pattern_key (rank_pattern/alpha_pattern), utils/save_and_load.py (tensor names
"base_model.model.<module>.lora_A.weight", DoRA's "<module>.lora_magnitude_vector", IA3's "<module>.ia3_l").

The base models are the committed model fixtures (tests/SharpLM.Models.Tests/Fixtures/{llama_gqa,gpt2}). For each
case it writes, under tests/SharpLM.Models.Tests/Fixtures/peft/<case>/:

    adapter_config.json          PEFT's field names, as PEFT's save_pretrained writes them
    adapter_model.safetensors    F32 adapter tensors under PEFT's names, metadata {"format": "pt"}
    oracle.safetensors           input_ids, targets (I64), logits, loss and grad.<PEFT tensor name> (F64) for the
                                 mean next-token cross-entropy (ignore_index -100), computed in float64

and peft/llama_other_base/: a LoRA adapter made for a wider LLaMA (hidden 48), which must fail on llama_gqa.

    /usr/bin/python3 tests/oracles/make_peft_fixtures.py
"""

import json
import os
import re
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402
import make_model_fixtures as mm  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(REPO, "tests", "SharpLM.Models.Tests", "Fixtures")
OUT = os.path.join(FIX, "peft")
B, T = mm.B, mm.T
PREFIX = "base_model.model."


def load_base(name):
    _, arrays, _ = mf.read_safetensors(os.path.join(FIX, name, "model.safetensors"))
    with open(os.path.join(FIX, name, "config.json")) as f:
        cfg = json.load(f)
    return cfg, {k: torch.from_numpy(v.copy()).to(torch.float64) for k, v in arrays.items()}


# ---------------------------------------------------------------- forward passes with a projection hook
# proj(module_name, x, weight, bias, conv1d) -> y; weight as stored (Linear [out, in], GPT-2 Conv1D [in, out]).

def plain(x, w, b, conv):
    y = x @ (w if conv else w.t())
    return y if b is None else y + b


def llama_forward(p, c, ids, proj):
    d, h = c["hidden_size"], c["num_attention_heads"]
    kvh = c["num_key_value_heads"]
    hd = d // h
    eps = c["rms_norm_eps"]
    x = p["model.embed_tokens.weight"][ids]
    pos = torch.arange(ids.shape[1])

    def lin(t, name):
        return proj(name, t, p[name + ".weight"], None, False)

    for l in range(c["num_hidden_layers"]):
        pre = f"model.layers.{l}."
        a = mf.rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = lin(a, pre + "self_attn.q_proj").view(B, T, h, hd).transpose(1, 2)
        k = lin(a, pre + "self_attn.k_proj").view(B, T, kvh, hd).transpose(1, 2)
        v = lin(a, pre + "self_attn.v_proj").view(B, T, kvh, hd).transpose(1, 2)
        q = mf.rope_halves(q, pos, c["rope_theta"])
        k = mf.rope_halves(k, pos, c["rope_theta"])
        y = mf.attention(q, k, v, 1.0 / hd ** 0.5, causal=True)
        x = x + lin(y.transpose(1, 2).reshape(B, T, d), pre + "self_attn.o_proj")
        m = mf.rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        x = x + lin(F.silu(lin(m, pre + "mlp.gate_proj")) * lin(m, pre + "mlp.up_proj"), pre + "mlp.down_proj")
    x = mf.rms_norm(x, p["model.norm.weight"], eps)
    return lin(x, "lm_head")


def gpt2_forward(p, c, ids, proj):
    d, h = c["n_embd"], c["n_head"]
    hd = d // h
    eps = c["layer_norm_epsilon"]
    x = p["transformer.wte.weight"][ids] + p["transformer.wpe.weight"][torch.arange(ids.shape[1])]

    def lin(t, name):
        return proj(name, t, p[name + ".weight"], p[name + ".bias"], True)

    for l in range(c["n_layer"]):
        pre = f"transformer.h.{l}."
        a = mm.layer_norm(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"], eps)
        q, k, v = lin(a, pre + "attn.c_attn").split(d, dim=-1)
        q, k, v = [t.view(B, T, h, hd).transpose(1, 2) for t in (q, k, v)]
        y = mf.attention(q, k, v, 1.0 / hd ** 0.5, causal=True).transpose(1, 2).reshape(B, T, d)
        x = x + lin(y, pre + "attn.c_proj")
        m = mm.layer_norm(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"], eps)
        x = x + lin(mm.gelu_new(lin(m, pre + "mlp.c_fc")), pre + "mlp.c_proj")
    x = mm.layer_norm(x, p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], eps)
    return x @ p["transformer.wte.weight"].t()


def llama_modules(c):
    names = []
    for l in range(c["num_hidden_layers"]):
        names += [f"model.layers.{l}.self_attn.{n}" for n in ("q_proj", "k_proj", "v_proj", "o_proj")]
        names += [f"model.layers.{l}.mlp.{n}" for n in ("gate_proj", "up_proj", "down_proj")]
    return names + ["lm_head"]


def gpt2_modules(c):
    return [f"transformer.h.{l}.{n}" for l in range(c["n_layer"]) for n in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")]


# ---------------------------------------------------------------- PEFT's module selection

def targeted(cfg, key):
    """check_target_module_exists (exclude_modules, target_modules list/regex, layers_to_transform/layers_pattern)."""
    ex = cfg.get("exclude_modules")
    if ex:
        if isinstance(ex, str):
            if re.fullmatch(ex, key):
                return False
        elif key in ex or any(key.endswith("." + e) for e in ex):
            return False
    tm = cfg["target_modules"]
    if isinstance(tm, str):
        return re.fullmatch(tm, key) is not None
    if key in tm:
        return True
    found = any(key.endswith("." + t) for t in tm)
    layers = cfg.get("layers_to_transform")
    if found and layers is not None and (not isinstance(layers, list) or len(layers) != 0):
        pattern = cfg.get("layers_pattern")
        if not pattern:
            m = re.match(r".*?\.[^.]*\.(\d+)\.", key)
        else:
            m = None
            for pat in ([pattern] if isinstance(pattern, str) else pattern):
                m = re.match(rf".*?\.{pat}\.(\d+)\.", key)
                if m is not None:
                    break
        if m is None:
            return False
        idx = int(m.group(1))
        return idx == layers if isinstance(layers, int) else idx in layers
    return found


def pattern_value(pattern, key, default):
    """get_pattern_key: the first key k with re.match(rf"(.*\\.)?({k})$", name)."""
    for k, v in pattern.items():
        if re.match(rf"(.*\.)?({k})$", key):
            return v
    return default


# ---------------------------------------------------------------- the methods

def lora_case(base, cfg, seed):
    """Random (trained-looking) LoRA/DoRA tensors for every targeted module; returns (tensors, proj)."""
    c, p = base
    conv = "n_embd" in c
    modules = gpt2_modules(c) if conv else llama_modules(c)
    g = torch.Generator().manual_seed(seed)
    tensors, spec = {}, {}
    for name in modules:
        if not targeted(cfg, name):
            continue
        w = p[name + ".weight"]
        fin, fout = (w.shape[0], w.shape[1]) if conv else (w.shape[1], w.shape[0])
        r = pattern_value(cfg.get("rank_pattern") or {}, name, cfg["r"])
        alpha = pattern_value(cfg.get("alpha_pattern") or {}, name, cfg["lora_alpha"])
        s = alpha / r ** 0.5 if cfg.get("use_rslora") else alpha / r
        A = (0.3 * torch.randn(r, fin, generator=g)).float()
        Bm = (0.3 * torch.randn(fout, r, generator=g)).float()
        tensors[f"{PREFIX}{name}.lora_A.weight"] = A
        tensors[f"{PREFIX}{name}.lora_B.weight"] = Bm
        if cfg.get("use_dora"):
            w_rows = (w.t() if conv else w).to(torch.float64)
            norm = torch.linalg.norm(w_rows + s * (Bm.double() @ A.double()), dim=1)
            tensors[f"{PREFIX}{name}.lora_magnitude_vector"] = (norm * (1 + 0.1 * torch.randn(fout, generator=g, dtype=torch.float64))).float()
        spec[name] = s
    assert spec, "the config targets nothing"
    return tensors, spec


def lora_proj(t64, spec):
    def proj(name, x, w, b, conv):
        y = plain(x, w, b, conv)
        if name not in spec:
            return y
        s = spec[name]
        A, Bm = t64[f"{PREFIX}{name}.lora_A.weight"], t64[f"{PREFIX}{name}.lora_B.weight"]
        lora = (x @ A.t()) @ Bm.t()
        mkey = f"{PREFIX}{name}.lora_magnitude_vector"
        if mkey not in t64:
            return y + lora * s
        w_rows = w.t() if conv else w                                   # transpose(weight, fan_in_fan_out)
        lora_weight = (Bm @ A)                                          # lora_B(lora_A(eye)).T
        weight_norm = torch.linalg.norm(w_rows + s * lora_weight.detach(), dim=1).detach()
        scale = (t64[mkey] / weight_norm).view(1, -1)
        base_result = y if b is None else y - b
        return y + (scale - 1) * base_result + scale * lora * s
    return proj


def ia3_case(base, cfg, seed):
    c, p = base
    conv = "n_embd" in c
    modules = gpt2_modules(c) if conv else llama_modules(c)
    g = torch.Generator().manual_seed(seed)
    tensors, spec = {}, {}
    ff = cfg["feedforward_modules"]
    for name in modules:
        if not targeted(cfg, name):
            continue
        w = p[name + ".weight"]
        fin, fout = (w.shape[0], w.shape[1]) if conv else (w.shape[1], w.shape[0])
        is_ff = re.fullmatch(ff, name) is not None if isinstance(ff, str) else any(name.endswith(k) for k in ff)
        shape = (1, fin) if is_ff else (fout, 1)
        tensors[f"{PREFIX}{name}.ia3_l"] = (1 + 0.3 * torch.randn(*shape, generator=g)).float()
        spec[name] = is_ff
    assert spec
    return tensors, spec


def ia3_proj(t64, spec):
    def proj(name, x, w, b, conv):
        if name not in spec:
            return plain(x, w, b, conv)
        l = t64[f"{PREFIX}{name}.ia3_l"].flatten()
        if spec[name]:
            return plain(x * l, w, b, conv)
        return plain(x, w, b, conv) * l
    return proj


# ---------------------------------------------------------------- files

LORA_DEFAULTS = {  # what PEFT 0.17's save_pretrained writes for a LoraConfig
    "alora_invocation_tokens": None, "alpha_pattern": {}, "auto_mapping": None, "bias": "none", "corda_config": None,
    "eva_config": None, "exclude_modules": None, "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True,
    "layer_replication": None, "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_bias": False,
    "lora_dropout": 0.0, "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
    "peft_type": "LORA", "peft_version": "0.17.0", "qalora_group_size": 16, "r": 8, "rank_pattern": {}, "revision": None,
    "target_parameters": None, "task_type": "CAUSAL_LM", "trainable_token_indices": None, "use_dora": False,
    "use_qalora": False, "use_rslora": False,
}

IA3_DEFAULTS = {
    "auto_mapping": None, "exclude_modules": None, "fan_in_fan_out": False, "inference_mode": True, "init_ia3_weights": True,
    "modules_to_save": None, "peft_type": "IA3", "peft_version": "0.17.0", "revision": None, "task_type": "CAUSAL_LM",
}


def write_adapter(folder, cfg, tensors):
    os.makedirs(folder, exist_ok=True)
    w = mf.SafetensorsWriter()
    for k in sorted(tensors):
        w.f32(k, tensors[k])
    w.write(os.path.join(folder, "adapter_model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


def write_case(case, base_name, forward, method, overrides, seed):
    base = load_base(base_name)
    c, p = base
    defaults = LORA_DEFAULTS if method == "lora" else IA3_DEFAULTS
    cfg = dict(defaults, base_model_name_or_path=f"Fixtures/{base_name}", **overrides)
    tensors, spec = (lora_case if method == "lora" else ia3_case)(base, cfg, seed)
    t64 = {k: v.to(torch.float64).requires_grad_(True) for k, v in tensors.items()}
    proj = (lora_proj if method == "lora" else ia3_proj)(t64, spec)
    torch.manual_seed(seed)
    V = c["vocab_size"]
    ids = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    targets[0, 3] = -100
    logits = forward(p, c, ids, proj)
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    folder = os.path.join(OUT, case)
    write_adapter(folder, cfg, tensors)
    o = mf.SafetensorsWriter()
    o.i64("input_ids", ids)
    o.i64("targets", targets)
    o.f64("logits", logits)
    o.f64("loss", loss)
    for k in sorted(t64):
        o.f64("grad." + k, t64[k].grad)
    o.write(os.path.join(folder, "oracle.safetensors"))
    base_logits = forward(p, c, ids, lambda n, x, w, b, cv: plain(x, w, b, cv))
    print(f"{case}: {len(spec)} modules, {sum(v.numel() for v in tensors.values())} adapter parameters, loss {loss.item():.6f}, "
          f"max |logits - base| {float((logits - base_logits).abs().max()):.3f}")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    write_case("llama_lora", "llama_gqa", llama_forward, "lora", {
        "r": 4, "lora_alpha": 8, "lora_dropout": 0.05,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "down_proj", "lm_head"],
        "rank_pattern": {"o_proj": 2}, "alpha_pattern": {"model.layers.1.self_attn.k_proj": 3}}, seed=101)
    write_case("llama_rslora", "llama_gqa", llama_forward, "lora", {
        "r": 8, "lora_alpha": 4, "use_rslora": True,
        "target_modules": r"model\.layers\.\d+\.(self_attn\.q_proj|mlp\.up_proj)"}, seed=102)
    write_case("llama_dora", "llama_gqa", llama_forward, "lora", {
        "r": 4, "lora_alpha": 16, "use_dora": True, "target_modules": ["q_proj", "v_proj", "gate_proj", "down_proj"],
        "layers_to_transform": [1], "layers_pattern": "layers"}, seed=103)
    write_case("gpt2_lora", "gpt2", gpt2_forward, "lora", {
        "r": 4, "lora_alpha": 8, "fan_in_fan_out": True, "target_modules": ["c_attn", "c_proj"],
        "exclude_modules": ["transformer.h.0.mlp.c_proj"]}, seed=104)
    write_case("gpt2_dora", "gpt2", gpt2_forward, "lora", {
        "r": 2, "lora_alpha": 4, "use_dora": True, "fan_in_fan_out": True, "target_modules": ["c_attn", "c_fc"]}, seed=105)
    write_case("llama_ia3", "llama_gqa", llama_forward, "ia3", {
        "target_modules": ["k_proj", "v_proj", "down_proj"], "feedforward_modules": ["down_proj"]}, seed=106)
    write_case("gpt2_ia3", "gpt2", gpt2_forward, "ia3", {
        "fan_in_fan_out": True, "target_modules": ["c_attn", "mlp.c_proj"], "feedforward_modules": ["mlp.c_proj"]}, seed=107)

    # An adapter trained on a wider LLaMA (hidden 48): loading it on llama_gqa must fail naming a tensor and both shapes.
    g = torch.Generator().manual_seed(108)
    wide = {}
    for l in range(2):
        wide[f"{PREFIX}model.layers.{l}.self_attn.q_proj.lora_A.weight"] = torch.randn(4, 48, generator=g)
        wide[f"{PREFIX}model.layers.{l}.self_attn.q_proj.lora_B.weight"] = torch.randn(48, 4, generator=g)
    write_adapter(os.path.join(OUT, "llama_other_base"), dict(LORA_DEFAULTS, r=4, lora_alpha=8, target_modules=["q_proj"],
                                                              base_model_name_or_path="wide-llama"), wide)
    print("llama_other_base: written")


if __name__ == "__main__":
    main()
