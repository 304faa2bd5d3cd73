// LlamaGguf: the LLaMA family in GGUF (llama.cpp arch "llama": llm_build_llama). Hyper-parameters under
// "llama.*"; q/k rows permuted to the interleaved-pairs RoPE layout; linear RoPE scaling as rope.scaling.*.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Llama;

public static class LlamaGguf
{
    public static readonly GgufLayout Layout = new("llama", GgufTensorNames.Llama, PermuteQk: true, SplitFusedQkv: false, Read,
        (c, w) => { LlamaHfConfig.RequireExpressible(c, qkvBias: false); Write(c, w, "llama"); });

    private static DecoderConfig Read(GgufConfigReader r) => ReadRmsRope(r, LlamaFamily.Llama2_7B);

    /// <summary>The RMSNorm + RoPE hyper-parameters LLaMA, Qwen2, Qwen3 and Baichuan share under their own prefix;
    /// with <paramref name="explicitHeadDim"/> the head width is attention.key_length (Qwen3) rather than dim / heads.</summary>
    public static DecoderConfig ReadRmsRope(GgufConfigReader r, DecoderConfig preset, bool explicitHeadDim = false)
    {
        int dim = r.Int(GgufKeys.EmbeddingLengthSuffix), heads = r.Int(GgufKeys.HeadCountSuffix);
        int hd = explicitHeadDim ? r.Int(GgufKeys.KeyLengthSuffix, dim / heads) : 0;
        r.CheckCommon(dim, heads, hd);
        return preset with
        {
            Dim = dim, ExplicitHeadDim = hd * heads == dim ? 0 : hd, Layers = r.Int(GgufKeys.BlockCountSuffix), Heads = heads, KvHeads = r.Int(GgufKeys.HeadCountKvSuffix, heads),
            FfnDim = r.Int(GgufKeys.FeedForwardLengthSuffix), MaxPositions = r.Int(GgufKeys.ContextLengthSuffix),
            NormEps = r.Float(GgufKeys.RmsEpsilonSuffix, 1e-5f),
            RopeTheta = r.Float(GgufKeys.RopeFreqBaseSuffix, 10000f), RopeScaling = r.RopeLinearFactor(),
        };
    }

    /// <summary>Writes the shared RMSNorm + RoPE hyper-parameters under "{arch}." (the caller checks its family can store the config).</summary>
    public static void Write(DecoderConfig c, GgufWriter w, string arch)
    {
        string K(string s) => GgufKeys.Arch(arch, s);
        w.Add(K(GgufKeys.ContextLengthSuffix), GgufValue.UInt32((uint)c.MaxPositions))
         .Add(K(GgufKeys.EmbeddingLengthSuffix), GgufValue.UInt32((uint)c.Dim))
         .Add(K(GgufKeys.BlockCountSuffix), GgufValue.UInt32((uint)c.Layers))
         .Add(K(GgufKeys.FeedForwardLengthSuffix), GgufValue.UInt32((uint)c.FfnDim))
         .Add(K(GgufKeys.RopeDimensionCountSuffix), GgufValue.UInt32((uint)c.HeadDim))
         .Add(K(GgufKeys.HeadCountSuffix), GgufValue.UInt32((uint)c.Heads))
         .Add(K(GgufKeys.HeadCountKvSuffix), GgufValue.UInt32((uint)c.KvHeads))
         .Add(K(GgufKeys.RmsEpsilonSuffix), GgufValue.Float32(c.NormEps))
         .Add(K(GgufKeys.RopeFreqBaseSuffix), GgufValue.Float32(c.RopeTheta));
        if (c.RopeScaling != 1f)
            w.Add(K(GgufKeys.RopeScalingTypeSuffix), GgufValue.String("linear")).Add(K(GgufKeys.RopeScalingFactorSuffix), GgufValue.Float32(c.RopeScaling));
    }
}
