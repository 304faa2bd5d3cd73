// PeftPromptOracle: the shared check of the prompt-side PEFT methods against tests/oracles/make_peft_prompt_fixtures.py.
// A case is a base model (Fixtures/llama_gqa or gpt2) plus Fixtures/peft/<case>/: the adapter in PEFT's folder layout
// and oracle.safetensors with the inputs, the real tokens' logits, the loss and, under param./grad., the adapter's
// trainable tensors and their gradients.
using SharpLM.Models.Families;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Peft;

internal static class PeftPromptOracle
{
    public static string BaseDir(string baseName) => Path.Combine(AppContext.BaseDirectory, "Fixtures", baseName);
    public static string CaseDir(string caseName) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "peft", caseName);
    public static OracleFixture Oracle(string caseName) => new(Path.Combine(CaseDir(caseName), "oracle.safetensors"));

    /// <summary>The base model of a case with its committed weights, in eval mode.</summary>
    public static DecoderModel BaseModel(string baseName)
    {
        var model = new DecoderModel(HfConfig.Load(BaseDir(baseName)));
        model.LoadStateDict(ModelFiles.LoadWeights(Path.Combine(BaseDir(baseName), "model.safetensors")));
        model.Eval();
        return model;
    }

    /// <summary>Max |logits − oracle logits| of <paramref name="model"/> on the case's input.</summary>
    public static double LogitsDiff(DecoderModel model, OracleFixture fx)
    {
        using var scope = TensorScope.Begin();
        using var _ = SharpLM.Tensors.Autograd.GradMode.NoGrad();
        var logits = model.Forward(fx.Load("input_ids"));
        Assert.Equal(fx.Shape("logits"), logits.Shape.ToArray());
        return Close.MaxAbsDiff(logits.ToArray(), fx.Values("logits"));
    }

    /// <summary>
    /// Sets the adapter tensors <paramref name="trainable"/> (oracle names) to the oracle's values, then checks the
    /// logits (1e-4), the loss and every gradient (rtol 1e-4).
    /// </summary>
    public static void CheckForwardAndGradients(ITestOutputHelper log, string caseName, DecoderModel model, IReadOnlyDictionary<string, Tensor> trainable)
    {
        var fx = Oracle(caseName);
        var expectedNames = fx.Names.Where(n => n.StartsWith("param.", StringComparison.Ordinal)).Select(n => n["param.".Length..]).Order().ToList();
        Assert.Equal(expectedNames, trainable.Keys.Order().ToList());
        foreach (var (name, p) in trainable) p.CopyFrom(fx.Load("param." + name));
        using var scope = TensorScope.Begin();
        model.ZeroGrad();
        foreach (var p in trainable.Values) p.ZeroGrad();
        var logits = model.Forward(fx.Load("input_ids"));
        double diff = Close.MaxAbsDiff(logits.ToArray(), fx.Values("logits"));
        log.WriteLine($"{caseName}: logits max |diff| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"{caseName}: logits max |diff| {diff:E3} > 1e-4");
        var loss = DecoderModel.Loss(logits, fx.Load("targets"));
        Assert.Equal(fx.Values("loss")[0], loss.Item(), 1e-5);
        loss.Backward();
        double worst = 0;
        foreach (var (name, p) in trainable)
        {
            Assert.True(p.Grad is not null, $"{caseName}: {name} got no gradient");
            var g = p.Grad!.ToArray();
            var expected = fx.Values("grad." + name);
            Close.Assert("grad." + name, g, expected, p.Shape.ToArray(), fx.Shape("grad." + name), 1e-4, atol: 1e-7);
            worst = Math.Max(worst, Close.MaxAbsDiff(g, expected));
        }
        log.WriteLine($"{caseName}: worst adapter gradient |diff| = {worst:E2} over {trainable.Count} tensors");
    }

    /// <summary>Loads the case's PEFT folder onto a fresh base model and checks the logits against the oracle's.</summary>
    public static void CheckFolderLoads(ITestOutputHelper log, string caseName, string baseName)
    {
        using var model = BaseModel(baseName);
        var adapter = PeftAdapterFile.Load(CaseDir(caseName), model);
        double diff = LogitsDiff(model, Oracle(caseName));
        log.WriteLine($"{caseName}: PEFT folder ({adapter.PeftType}) logits max |diff| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"{caseName}: logits of the loaded PEFT folder differ by {diff:E3}");
    }

    /// <summary>Logits of the base model alone on the case's input.</summary>
    public static float[] BaseLogits(DecoderModel model, OracleFixture fx)
    {
        using var scope = TensorScope.Begin();
        using var _ = SharpLM.Tensors.Autograd.GradMode.NoGrad();
        return model.Forward(fx.Load("input_ids")).ToArray();
    }
}
