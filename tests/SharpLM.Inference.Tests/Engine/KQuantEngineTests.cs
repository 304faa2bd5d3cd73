// The engine on K-quant GGUF files (Q4_K/Q5_K attention and FFN weights, Q6_K embedding and head — the mix of
// llama.cpp's Q4_K_M/Q5_K_M). SharpLM cannot quantise to K types, so the files carry random super-blocks
// (SyntheticKQuant: every bit pattern is a valid block; only the fp16 scales are set to sensible magnitudes). Their decoding is
// pinned to ggml bit for bit in SharpLM.Models.Tests (GgmlQuantTests.KQuantDequantisationEqualsGgml); here the
// engine's prefill and decode must equal DecoderModel over the same dequantised weights: Q5_K/Q6_K (rows and
// panels dequantised, f32 arithmetic) to float rounding, Q4_K (packed int8 kernels on AVX-512) within the
// int8-activation bound.
using SharpLM.Inference.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public sealed class KQuantEngineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-kquant-" + Guid.NewGuid().ToString("N")[..8]);

    public KQuantEngineTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A 2-layer LLaMA (dim 256, GQA 4/2, FFN 512, vocab 256) with <paramref name="body"/> matrices and Q6_K embedding/head.</summary>
    private string WriteModel(GgmlType body)
    {
        var cfg = new DecoderConfig { VocabSize = 256, Dim = 256, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 512, MaxPositions = 64 }.Validate();
        using var model = new DecoderModel(cfg);
        string f32 = Path.Combine(_dir, "f32.gguf"), path = Path.Combine(_dir, $"{body}.gguf");
        ModelFile.Save(model, f32, ModelFileFormat.Gguf, GgmlType.F32);
        SyntheticKQuant.Rewrite(f32, path, t => t.Name is "token_embd.weight" or "output.weight" ? GgmlType.Q6_K : body, (int)body);
        return path;
    }

    [Theory]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void KQuantEngineEqualsDecoderModelOverTheDequantisedWeights(GgmlType body)
    {
        string path = WriteModel(body);
        using var engine = DecoderEngine.Open(path);
        Assert.Equal(body, engine.WeightType);
        using var reference = ModelFile.Load(path); // DecoderModel: every K block dequantised by GgmlQuant
        int[] ids = [3, 200, 17, 91, 5, 250, 128, 64, 9, 33, 77, 1];
        float[] expected = LlamaGqaGguf.Logits(reference, ids);
        int v = engine.VocabSize, prompt = 5;
        var logits = new float[v];
        float scale = MathF.Max(1e-3f, expected.Max(MathF.Abs));
        // With AVX-512 every K-quant matrix is packed for the int8 kernels (Q8_0 activations, as llama.cpp's K-quant
        // dot products): the activation rounding bound of the other int8 types. Without AVX-512 everything is f32.
        float tolerance = (QuantGemm.CanPack(GgmlType.Q6_K) ? 5e-2f : 1e-4f) * scale; // measured 7e-3 (Q4_K) to 2.5e-2 (Q5_K: random blocks with large means)
        engine.Forward(ids.AsSpan(0, prompt), 0, logits);                       // prefill
        float d0 = LlamaGqaGguf.MaxAbsDiff(logits, expected.AsSpan((prompt - 1) * v, v));
        Assert.True(d0 <= tolerance, $"{body} prefill: max |Δ| = {d0} (max |logit| {scale})");
        for (int t = prompt; t < ids.Length; t++)                               // decode: dequantised rows, f32 dots
        {
            engine.Forward(ids.AsSpan(t, 1), t, logits);
            float d = LlamaGqaGguf.MaxAbsDiff(logits, expected.AsSpan(t * v, v));
            Assert.True(d <= tolerance, $"{body} position {t}: max |Δ| = {d} (max |logit| {scale})");
        }
        Assert.True(scale > 1e-2f, $"the random weights should give non-trivial logits (max |logit| {scale})");
    }
}
