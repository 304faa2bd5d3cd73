// LM metrics against PyTorch: the llama_gqa fixture model's perplexity on its oracle input_ids/targets equals
// exp(PyTorch's cross-entropy `loss`); rolling windows with a stride agree with the full forward pass where
// the document fits and score every token exactly once where it does not.
using SharpLM.Eval.Harness;
using SharpLM.Eval.Metrics.LanguageModel;
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Eval.Tests;

public class LanguageModelTests
{
    internal static (DecoderModel Model, OracleFixture Oracle) Load(string name)
    {
        var dir = Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);
        var model = new DecoderModel(HfConfig.Load(dir));
        var w = new OracleFixture(Path.Combine(dir, "model.safetensors"));
        using (TensorScope.Begin()) model.LoadStateDict(w.Names.ToDictionary(n => n, n => w.Load(n)));
        return (model, new OracleFixture(Path.Combine(dir, "oracle.safetensors")));
    }

    [Fact]
    public void PerplexityEqualsExpOfPyTorchLoss()
    {
        var (model, fx) = Load("llama_gqa");
        var shape = fx.Shape("input_ids");
        int b = shape[0], t = shape[1];
        var ids = fx.Values("input_ids").Select(v => (int)v).ToArray();
        var targets = fx.Values("targets").Select(v => (int)v).ToArray();
        var em = new DecoderEvalModel(model);
        var lps = new List<double>();
        for (int r = 0; r < b; r++)
        {
            var row = em.TargetLogProbs(ids.AsSpan(r * t, t), targets.AsSpan(r * t, t).ToArray().Select(x => x < 0 ? 0 : x).ToArray());
            for (int i = 0; i < t; i++) if (targets[r * t + i] != -100) lps.Add(row[i]);
        }
        double expected = Math.Exp(fx.Values("loss")[0]);
        double ppl = LanguageModelMetrics.Perplexity(lps);
        Assert.True(Math.Abs(ppl / expected - 1) < 1e-4, $"perplexity {ppl} vs exp(loss) {expected}");
        Assert.Equal(fx.Values("loss")[0], LanguageModelMetrics.CrossEntropy(lps), 4);
        model.Dispose();
    }

    [Fact]
    public void RollingWindowsScoreEveryTokenOnce()
    {
        var (model, fx) = Load("llama_gqa");
        var em = new DecoderEvalModel(model);
        int ctx = em.MaxLength;
        var ids = fx.Values("input_ids").Select(v => (int)v).ToArray();
        var doc = Enumerable.Range(0, 3 * ctx).Select(i => ids[i % ids.Length]).ToArray();
        // Short document: one window, identical to the full forward.
        var shortDoc = doc[..(ctx - 3)];
        Assert.Equal(em.TokenLogProbs(shortDoc), LanguageModelMetrics.RollingLogProbs(em, shortDoc, stride: 5));
        // Disjoint windows: the second window's first token is scored without context beyond its window.
        var disjoint = LanguageModelMetrics.RollingLogProbs(em, doc);
        Assert.Equal(doc.Length - 1, disjoint.Length);
        Assert.Equal(em.TokenLogProbs(doc.AsSpan(ctx, ctx))[3], disjoint[ctx + 3], 12);
        // Strided windows: token ctx + 3 is scored in the window starting at stride·k covering it first.
        int stride = ctx / 4;
        var strided = LanguageModelMetrics.RollingLogProbs(em, doc, stride: stride);
        int begin = stride; // window [stride, stride + ctx) first reaches token ctx (and ctx + 3 < stride + ctx)
        Assert.Equal(em.TokenLogProbs(doc.AsSpan(begin, ctx))[ctx + 3 - begin - 1], strided[ctx + 3 - 1], 12);
        Assert.True(LanguageModelMetrics.Perplexity(strided) > 1);
        // Bits per byte: total NLL / (ln 2 · bytes).
        Assert.Equal(10 / Math.Log(2) / 5, LanguageModelMetrics.BitsPerByte(10, 5), 14);
        model.Dispose();
    }
}
