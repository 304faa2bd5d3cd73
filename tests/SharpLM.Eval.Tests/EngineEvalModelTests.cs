// The harness on the engine: EngineEvalModel's target log-probs (one all-positions pass) equal PyTorch's
// log-softmax of the fixture logits (≤ 1e-4) and DecoderEvalModel's, for LLaMA-GQA and GPT-2; greedy
// continuations are the same tokens.
using SharpLM.Eval.Harness;
using SharpLM.Inference.Engine;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Eval.Tests;

public class EngineEvalModelTests
{
    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    public void EngineScoresAsPyTorchAndAsTheAutogradModel(string name)
    {
        var (model, fx) = LanguageModelTests.Load(name);
        using var _ = model;
        using var engine = DecoderEngine.FromModel(model);
        var onEngine = new EngineEvalModel(engine);
        var reference = new DecoderEvalModel(model);
        var ids = fx.Values("input_ids").Select(v => (int)v).ToArray();
        var logits = fx.Values("logits");
        int t = fx.Shape("input_ids")[1], v = engine.VocabSize;
        int[] inputs = ids[..t], targets = [.. ids[1..t], ids[0]];
        var got = onEngine.TargetLogProbs(inputs, targets);
        var want = reference.TargetLogProbs(inputs, targets);
        for (int i = 0; i < t; i++)
        {
            var row = logits.Skip(i * v).Take(v).ToArray();
            double max = row.Max(), lse = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
            Assert.True(Math.Abs(got[i] - (row[targets[i]] - lse)) <= 1e-4, $"{name} position {i}: {got[i]} vs PyTorch {row[targets[i]] - lse}");
            Assert.True(Math.Abs(got[i] - want[i]) <= 1e-4, $"{name} position {i}: {got[i]} vs DecoderEvalModel {want[i]}");
        }
        Assert.Equal(reference.Generate(inputs[..4], 8), onEngine.Generate(inputs[..4], 8));
    }
}
