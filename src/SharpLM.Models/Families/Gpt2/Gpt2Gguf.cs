// Gpt2Gguf: GPT-2 in GGUF (llama.cpp arch "gpt2": llm_build_gpt2) — learned positions (position_embd),
// LayerNorm with biases, fused attn_qkv, GELU (ggml's tanh approximation), biases everywhere. HF's Conv1D
// weights ([in, out]) are stored transposed ([out, in], ggml ne = [in, out]) as convert_hf_to_gguf does.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Gpt2;

public static class Gpt2Gguf
{
    public static readonly GgufLayout Layout = new("gpt2", GgufTensorNames.Gpt2, PermuteQk: false, SplitFusedQkv: false, Read, Write);

    private static DecoderConfig Read(GgufConfigReader r)
    {
        int dim = r.Int("embedding_length"), heads = r.Int("attention.head_count");
        r.CheckCommon(dim, heads);
        if (r.Raw("attention.head_count_kv") is { } kv && kv.AsInt64() != heads)
            throw SharpLM.Formats.ModelFormatException.Expected(r.File.Path, r.Key("attention.head_count_kv"), $"{heads} (GPT-2 has no grouped-query attention)", kv.AsInt64());
        return Gpt2Family.Gpt2Small with
        {
            Dim = dim, Layers = r.Int("block_count"), Heads = heads, KvHeads = heads, FfnDim = r.Int("feed_forward_length"),
            MaxPositions = r.Int("context_length"), NormEps = r.Float("attention.layer_norm_epsilon", 1e-5f),
        };
    }

    private static void Write(DecoderConfig c, GgufWriter w)
    {
        Gpt2HfConfig.RequireExpressible(c);
        if (c.Mlp != MlpKind.GeluTanh)
            throw new NotSupportedException($"GGUF gpt2: llama.cpp's GPT-2 uses GELU with the tanh approximation; this model's MLP is {c.Mlp}.");
        w.Add("gpt2.context_length", GgufValue.UInt32((uint)c.MaxPositions))
         .Add("gpt2.embedding_length", GgufValue.UInt32((uint)c.Dim))
         .Add("gpt2.block_count", GgufValue.UInt32((uint)c.Layers))
         .Add("gpt2.feed_forward_length", GgufValue.UInt32((uint)c.FfnDim))
         .Add("gpt2.attention.head_count", GgufValue.UInt32((uint)c.Heads))
         .Add("gpt2.attention.layer_norm_epsilon", GgufValue.Float32(c.NormEps));
    }
}
