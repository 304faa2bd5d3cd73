// ModelEngineWeights: engine weights from a DecoderModel in memory (no file) — e.g. a model being trained,
// for fast rollouts, perplexity and eval scoring. Each parameter is copied once into aligned f32 memory;
// GPT-2's Conv1D weights ([in, out]) are transposed to the engine's [out, in]; a fused q/k/v matrix
// (GPT-2 c_attn, Baichuan W_pack) is split into three row views. RoPE runs in the HF halves layout.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Inference.Engine;

internal static unsafe class ModelEngineWeights
{
    public static EngineWeights From(DecoderModel model)
    {
        var c = model.Config;
        if (!c.PreNorm) throw new NotSupportedException("engine: post-norm decoders (PreNorm = false) are not supported; use DecoderModelLm.");
        if (c.Positions == PositionKind.Sinusoidal) throw new NotSupportedException("engine: sinusoidal positions are not supported; use DecoderModelLm.");
        var n = DecoderNames.For(c.Family);
        var state = model.NamedParameters().ToDictionary(p => p.Name, p => p.Param);
        var w = new EngineWeights(c, "in-memory " + c.Family + " model", ropePairs: c.RopeLayout == SharpLM.Tensors.RopeLayout.Pairs, owner: null);
        try
        {
            bool ln = c.Norm == NormKind.LayerNorm;
            int kvDim = c.KvHeads * c.HeadDim, qDim = c.AttnDim;
            float* Vec(string name) => w.Copy(Values(state, name));
            float* Bias(string name, bool present) => present ? Vec(name + ".bias") : null;
            WeightMatrix Mat(string name, int rows, int cols) => Matrix(w, state, name + ".weight", rows, cols, n.Conv1D);

            w.Embed = Matrix(w, state, n.Embed + ".weight", c.VocabSize, c.Dim, conv1D: false);
            if (c.Positions == PositionKind.Learned) w.PositionEmbed = Vec(n.PositionEmbed + ".weight");
            for (int i = 0; i < c.Layers; i++)
            {
                string p = string.Format(n.Layer, i) + ".";
                var l = w.Layers[i];
                l.AttnNorm = Vec(p + n.AttnNorm + ".weight"); l.AttnNormBias = ln ? Vec(p + n.AttnNorm + ".bias") : null;
                l.FfnNorm = Vec(p + n.FfnNorm + ".weight"); l.FfnNormBias = ln ? Vec(p + n.FfnNorm + ".bias") : null;
                if (n.FusedQkv is { } fused)
                {
                    var qkv = Mat(p + fused, qDim + 2 * kvDim, c.Dim);
                    l.Q = qkv.RowRange(0, qDim); l.K = qkv.RowRange(qDim, kvDim); l.V = qkv.RowRange(qDim + kvDim, kvDim);
                    if (c.QkvBias)
                    {
                        float* b = Vec(p + fused + ".bias");
                        l.BiasQ = b; l.BiasK = b + qDim; l.BiasV = b + qDim + kvDim;
                    }
                }
                else
                {
                    l.Q = Mat(p + n.Q, qDim, c.Dim); l.K = Mat(p + n.K, kvDim, c.Dim); l.V = Mat(p + n.V, kvDim, c.Dim);
                    l.BiasQ = Bias(p + n.Q, c.QkvBias); l.BiasK = Bias(p + n.K, c.QkvBias); l.BiasV = Bias(p + n.V, c.QkvBias);
                }
                if (c.QkHeadNorm) { l.QNorm = Vec(p + n.QNorm + ".weight"); l.KNorm = Vec(p + n.KNorm + ".weight"); }
                l.O = Mat(p + n.O, c.Dim, qDim); l.BiasO = Bias(p + n.O, c.ProjBias);
                if (c.Mlp == MlpKind.SwiGlu) { l.Gate = Mat(p + n.Gate, c.FfnDim, c.Dim); l.BiasGate = Bias(p + n.Gate, c.ProjBias); }
                l.Up = Mat(p + n.Up, c.FfnDim, c.Dim); l.BiasUp = Bias(p + n.Up, c.ProjBias);
                l.Down = Mat(p + n.Down, c.Dim, c.FfnDim); l.BiasDown = Bias(p + n.Down, c.ProjBias);
            }
            w.OutNorm = Vec(n.FinalNorm + ".weight"); w.OutNormBias = ln ? Vec(n.FinalNorm + ".bias") : null;
            w.Head = c.TiedEmbeddings ? w.Embed : Matrix(w, state, n.LmHead + ".weight", c.VocabSize, c.Dim, conv1D: false);
            return w;
        }
        catch { w.FreeMemory(); throw; }
    }

    private static float[] Values(Dictionary<string, Tensor> state, string name) =>
        state.TryGetValue(name, out var t) ? (t.DType == DType.F32 ? t.ToArray() : throw new NotSupportedException($"engine: parameter {name} is {t.DType}; f32 expected."))
            : throw new KeyNotFoundException($"engine: the model has no parameter '{name}'.");

    private static WeightMatrix Matrix(EngineWeights w, Dictionary<string, Tensor> state, string name, int rows, int cols, bool conv1D)
    {
        var v = Values(state, name);
        if (v.Length != (long)rows * cols) throw new ArgumentException($"engine: parameter {name} has {v.Length} values, expected {rows}×{cols}.");
        float* p = w.Alloc(v.Length);
        if (!conv1D) v.CopyTo(new Span<float>(p, v.Length));
        else
            for (int i = 0; i < cols; i++)            // stored [in = cols, out = rows]
                for (int o = 0; o < rows; o++) p[(long)o * cols + i] = v[(long)i * rows + o];
        return new WeightMatrix(GgmlType.F32, (byte*)p, rows, cols);
    }
}
