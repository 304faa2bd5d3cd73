// GgufEngineWeights: engine weights straight from a GGUF file's memory map, for every family in the registry
// (llama, qwen2, gpt2, baichuan), by llama.cpp's tensor names: 2-D weights stay in their stored type; norm
// vectors, biases and GPT-2's position table are decoded to f32; a fused attn_qkv (GPT-2) is split into three
// row views. q/k rows are in llama.cpp's interleaved-pairs RoPE layout when the family's layout says so
// (LLaMA, Baichuan), else in HF's halves layout (Qwen2's NEOX RoPE). The file stays open as long as the weights.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Inference.Engine;

internal static unsafe class GgufEngineWeights
{
    public static EngineWeights Load(GgufFile file, bool ownsFile)
    {
        var c = ModelFile.ConfigFromGguf(file);
        var layout = SharpLM.Models.Families.DecoderFamilies.ForGgufArch(file.GetString(GgufKeys.GeneralArchitecture))!.Gguf;
        // Every tensor must be one the family's table knows (e.g. llama.cpp's rope_freqs.weight for Llama 3.1
        // scaling is not): the engine fetches tensors by name and would otherwise skip one silently.
        foreach (var t in file.Tensors)
            if (GgufTensorNames.ToHf(layout.Tensors, t.Name) is null)
                throw new ModelFormatException(file.Path, t.Name, $"this tensor is not part of llama.cpp's {layout.Arch} layout as SharpLM runs it; refusing to run without it");
        var w = new EngineWeights(c, file.Path, ropePairs: layout.PermuteQk, ownsFile ? file : null);
        try
        {
            int kvDim = c.KvHeads * c.HeadDim, qDim = c.AttnDim;
            bool ln = c.Norm == NormKind.LayerNorm;
            WeightMatrix Weight(string name, int rows, int cols)
            {
                var t = file.TryGetTensor(name) ?? throw new ModelFormatException(file.Path, name, "missing tensor");
                if (t.Shape.Length != 2 || t.Shape[0] != rows || t.Shape[1] != cols)
                    throw new ModelFormatException(file.Path, name, $"expected shape [{rows}, {cols}], found [{string.Join(", ", t.Shape)}]");
                if (!WeightMatrix.IsSupported(t.Type)) // the engine's limit, not a bad file: ModelOpener then runs the dequantised model
                    throw new NotSupportedException($"{file.Path}: {name}: weight type {t.Type} is not supported by DecoderEngine (supported: {WeightMatrix.SupportedList})");
                return WeightMatrix.From(t);
            }
            float* Vector(string name, long n)
            {
                var t = file.TryGetTensor(name) ?? throw new ModelFormatException(file.Path, name, "missing tensor");
                if (t.Numel != n) throw new ModelFormatException(file.Path, name, $"expected {n} values, found {t.Numel}");
                float* p = w.Alloc(n);
                long row = (long)t.Ne[0];
                for (long r = 0; r < n / row; r++)   // row by row: a position table may exceed one span
                    GgmlQuant.Dequantize(t.Type, t.Data.Slice((int)(r * t.Type.ByteSize(row)), (int)t.Type.ByteSize(row)), new Span<float>(p + r * row, (int)row));
                return p;
            }
            float* Bias(string name, int n, bool present) => present ? Vector(name, n) : null;

            w.Embed = Weight("token_embd.weight", c.VocabSize, c.Dim);
            w.Head = file.TryGetTensor("output.weight") is null ? w.Embed : Weight("output.weight", c.VocabSize, c.Dim);
            w.OutNorm = Vector("output_norm.weight", c.Dim);
            w.OutNormBias = Bias("output_norm.bias", c.Dim, ln);
            if (c.Positions == PositionKind.Learned) w.PositionEmbed = Vector("position_embd.weight", (long)c.MaxPositions * c.Dim);
            for (int i = 0; i < c.Layers; i++)
            {
                var l = w.Layers[i];
                string b = $"blk.{i}.";
                l.AttnNorm = Vector(b + "attn_norm.weight", c.Dim); l.AttnNormBias = Bias(b + "attn_norm.bias", c.Dim, ln);
                l.FfnNorm = Vector(b + "ffn_norm.weight", c.Dim); l.FfnNormBias = Bias(b + "ffn_norm.bias", c.Dim, ln);
                if (file.TryGetTensor(b + "attn_qkv.weight") is not null)
                {
                    var qkv = Weight(b + "attn_qkv.weight", qDim + 2 * kvDim, c.Dim);
                    l.Q = qkv.RowRange(0, qDim); l.K = qkv.RowRange(qDim, kvDim); l.V = qkv.RowRange(qDim + kvDim, kvDim);
                    if (c.QkvBias)
                    {
                        float* qb = Vector(b + "attn_qkv.bias", qDim + 2 * kvDim);
                        l.BiasQ = qb; l.BiasK = qb + qDim; l.BiasV = qb + qDim + kvDim;
                    }
                }
                else
                {
                    l.Q = Weight(b + "attn_q.weight", qDim, c.Dim);
                    l.K = Weight(b + "attn_k.weight", kvDim, c.Dim);
                    l.V = Weight(b + "attn_v.weight", kvDim, c.Dim);
                    l.BiasQ = Bias(b + "attn_q.bias", qDim, c.QkvBias); l.BiasK = Bias(b + "attn_k.bias", kvDim, c.QkvBias); l.BiasV = Bias(b + "attn_v.bias", kvDim, c.QkvBias);
                }
                if (c.QkHeadNorm) { l.QNorm = Vector(b + "attn_q_norm.weight", c.HeadDim); l.KNorm = Vector(b + "attn_k_norm.weight", c.HeadDim); }
                l.O = Weight(b + "attn_output.weight", c.Dim, qDim); l.BiasO = Bias(b + "attn_output.bias", c.Dim, c.ProjBias);
                if (c.Mlp == MlpKind.SwiGlu) { l.Gate = Weight(b + "ffn_gate.weight", c.FfnDim, c.Dim); l.BiasGate = Bias(b + "ffn_gate.bias", c.FfnDim, c.ProjBias); }
                l.Up = Weight(b + "ffn_up.weight", c.FfnDim, c.Dim); l.BiasUp = Bias(b + "ffn_up.bias", c.FfnDim, c.ProjBias);
                l.Down = Weight(b + "ffn_down.weight", c.Dim, c.FfnDim); l.BiasDown = Bias(b + "ffn_down.bias", c.Dim, c.ProjBias);
            }
            return w;
        }
        catch { w.FreeMemory(); throw; }
    }
}
