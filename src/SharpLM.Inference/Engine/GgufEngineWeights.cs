// GgufEngineWeights: engine weights straight from a GGUF file's memory map (llama.cpp's LLaMA tensor names;
// q/k rows in llama.cpp's interleaved-pairs RoPE layout). 2-D weights stay in their stored type; norm vectors
// are decoded to f32. The file stays open as long as the weights.
using SharpLM.Models.Checkpoints;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;

namespace SharpLM.Inference.Engine;

internal static unsafe class GgufEngineWeights
{
    public static EngineWeights Load(GgufFile file, bool ownsFile)
    {
        var arch = file.TryGet(GgufKeys.GeneralArchitecture)?.AsString() ?? "llama";
        if (arch != "llama")
            throw new NotSupportedException($"LlamaEngine: {file.Path} is a '{arch}' model; only 'llama' is supported.");
        var c = ModelFile.ConfigFromGguf(file);
        var w = new EngineWeights(c, file.Path, ropePairs: true, ownsFile ? file : null);
        try
        {
            int kvDim = c.KvHeads * c.HeadDim;
            WeightMatrix Weight(string name, int rows, int cols)
            {
                var t = file.TryGetTensor(name) ?? throw new ModelFormatException(file.Path, name, "missing tensor");
                if (t.Shape.Length != 2 || t.Shape[0] != rows || t.Shape[1] != cols)
                    throw new ModelFormatException(file.Path, name, $"expected shape [{rows}, {cols}], found [{string.Join(", ", t.Shape)}]");
                if (!WeightMatrix.IsSupported(t.Type))
                    throw new ModelFormatException(file.Path, name, $"weight type {t.Type} is not supported by LlamaEngine (supported: {WeightMatrix.SupportedList})");
                return WeightMatrix.From(t);
            }
            float* Vector(string name, int n)
            {
                var t = file.TryGetTensor(name) ?? throw new ModelFormatException(file.Path, name, "missing tensor");
                if (t.Numel != n) throw new ModelFormatException(file.Path, name, $"expected {n} values, found {t.Numel}");
                float* p = w.Alloc(n);
                GgmlQuant.Dequantize(t.Type, t.Data, new Span<float>(p, n));
                return p;
            }
            w.Embed = Weight("token_embd.weight", c.VocabSize, c.Dim);
            w.Head = file.TryGetTensor("output.weight") is null ? w.Embed : Weight("output.weight", c.VocabSize, c.Dim);
            w.OutNorm = Vector("output_norm.weight", c.Dim);
            for (int i = 0; i < c.Layers; i++)
            {
                var l = w.Layers[i];
                l.AttnNorm = Vector($"blk.{i}.attn_norm.weight", c.Dim);
                l.FfnNorm = Vector($"blk.{i}.ffn_norm.weight", c.Dim);
                l.Q = Weight($"blk.{i}.attn_q.weight", c.Dim, c.Dim);
                l.K = Weight($"blk.{i}.attn_k.weight", kvDim, c.Dim);
                l.V = Weight($"blk.{i}.attn_v.weight", kvDim, c.Dim);
                l.O = Weight($"blk.{i}.attn_output.weight", c.Dim, c.Dim);
                l.Gate = Weight($"blk.{i}.ffn_gate.weight", c.FfnDim, c.Dim);
                l.Up = Weight($"blk.{i}.ffn_up.weight", c.FfnDim, c.Dim);
                l.Down = Weight($"blk.{i}.ffn_down.weight", c.Dim, c.FfnDim);
            }
            return w;
        }
        catch { w.FreeMemory(); throw; }
    }
}
