// LlamaGguf: the LLaMA family in GGUF (llama.cpp arch "llama": llm_build_llama). Hyper-parameters under
// "llama.*"; q/k rows permuted to the interleaved-pairs RoPE layout; linear RoPE scaling as rope.scaling.*.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Llama;

public static class LlamaGguf
{
    public static readonly GgufLayout Layout = new("llama", GgufTensorNames.Llama, PermuteQk: true, SplitFusedQkv: false, Read, (c, w) => Write(c, w, "llama"));

    private static DecoderConfig Read(GgufConfigReader r) => ReadRmsRope(r, LlamaFamily.Llama2_7B);

    /// <summary>The RMSNorm + RoPE hyper-parameters LLaMA, Qwen2 and Baichuan share under their own prefix.</summary>
    public static DecoderConfig ReadRmsRope(GgufConfigReader r, DecoderConfig preset)
    {
        int dim = r.Int("embedding_length"), heads = r.Int("attention.head_count");
        r.CheckCommon(dim, heads);
        return preset with
        {
            Dim = dim, Layers = r.Int("block_count"), Heads = heads, KvHeads = r.Int("attention.head_count_kv", heads),
            FfnDim = r.Int("feed_forward_length"), MaxPositions = r.Int("context_length"),
            NormEps = r.Float("attention.layer_norm_rms_epsilon", 1e-5f),
            RopeTheta = r.Float("rope.freq_base", 10000f), RopeScaling = r.RopeLinearFactor(),
        };
    }

    /// <summary>Writes the shared RMSNorm + RoPE hyper-parameters under "{arch}.".</summary>
    public static void Write(DecoderConfig c, GgufWriter w, string arch)
    {
        if (arch != "baichuan") LlamaHfConfig.RequireExpressible(c, c.QkvBias);
        string K(string s) => arch + "." + s;
        w.Add(K("context_length"), GgufValue.UInt32((uint)c.MaxPositions))
         .Add(K("embedding_length"), GgufValue.UInt32((uint)c.Dim))
         .Add(K("block_count"), GgufValue.UInt32((uint)c.Layers))
         .Add(K("feed_forward_length"), GgufValue.UInt32((uint)c.FfnDim))
         .Add(K("rope.dimension_count"), GgufValue.UInt32((uint)c.HeadDim))
         .Add(K("attention.head_count"), GgufValue.UInt32((uint)c.Heads))
         .Add(K("attention.head_count_kv"), GgufValue.UInt32((uint)c.KvHeads))
         .Add(K("attention.layer_norm_rms_epsilon"), GgufValue.Float32(c.NormEps))
         .Add(K("rope.freq_base"), GgufValue.Float32(c.RopeTheta));
        if (c.RopeScaling != 1f)
            w.Add(K("rope.scaling.type"), GgufValue.String("linear")).Add(K("rope.scaling.factor"), GgufValue.Float32(c.RopeScaling));
    }
}
