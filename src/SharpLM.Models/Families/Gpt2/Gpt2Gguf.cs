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
        int dim = r.Int(GgufKeys.EmbeddingLengthSuffix), heads = r.Int(GgufKeys.HeadCountSuffix);
        r.CheckCommon(dim, heads);
        if (r.Raw(GgufKeys.HeadCountKvSuffix) is { } kv && kv.AsInt64() != heads)
            throw SharpLM.Formats.ModelFormatException.Expected(r.File.Path, r.Key(GgufKeys.HeadCountKvSuffix), $"{heads} (GPT-2 has no grouped-query attention)", kv.AsInt64());
        return Gpt2Family.Gpt2Small with
        {
            Dim = dim, Layers = r.Int(GgufKeys.BlockCountSuffix), Heads = heads, KvHeads = heads, FfnDim = r.Int(GgufKeys.FeedForwardLengthSuffix),
            MaxPositions = r.Int(GgufKeys.ContextLengthSuffix), NormEps = r.Float(GgufKeys.LayerNormEpsilonSuffix, 1e-5f),
        };
    }

    private static void Write(DecoderConfig c, GgufWriter w)
    {
        Gpt2HfConfig.RequireExpressible(c);
        if (c.Mlp != MlpKind.GeluTanh)
            throw new NotSupportedException($"GGUF gpt2: llama.cpp's GPT-2 uses GELU with the tanh approximation; this model's MLP is {c.Mlp}.");
        w.Add(GgufKeys.Arch("gpt2", GgufKeys.ContextLengthSuffix), GgufValue.UInt32((uint)c.MaxPositions))
         .Add(GgufKeys.Arch("gpt2", GgufKeys.EmbeddingLengthSuffix), GgufValue.UInt32((uint)c.Dim))
         .Add(GgufKeys.Arch("gpt2", GgufKeys.BlockCountSuffix), GgufValue.UInt32((uint)c.Layers))
         .Add(GgufKeys.Arch("gpt2", GgufKeys.FeedForwardLengthSuffix), GgufValue.UInt32((uint)c.FfnDim))
         .Add(GgufKeys.Arch("gpt2", GgufKeys.HeadCountSuffix), GgufValue.UInt32((uint)c.Heads))
         .Add(GgufKeys.Arch("gpt2", GgufKeys.LayerNormEpsilonSuffix), GgufValue.Float32(c.NormEps));
    }
}
