// 20 training steps of the tiny LLaMA against PyTorch (tests/oracles/make_training_fixtures.py): AdamW with
// parameter groups, global-norm clipping and warmup + cosine schedule give the same loss and gradient norm
// at every step (1e-4 relative) and the same final weights.
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using SharpLM.Training.Optim;
using SharpLM.Training.Schedules;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Training.Tests;

public class AdamWOracleTests(ITestOutputHelper log)
{
    [Fact]
    public void TwentyStepsMatchPyTorch()
    {
        var dir = Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", "llama_gqa");
        using var model = new DecoderModel(HfConfig.Load(dir));
        var w = new OracleFixture(Path.Combine(dir, "model.safetensors"));
        using (var s = TensorScope.Begin()) model.LoadStateDict(w.Names.ToDictionary(n => n, n => w.Load(n)));
        model.Eval(); // no dropout in this config either way
        var fx = new OracleFixture("adamw_llama.safetensors");
        var opt = new AdamW(ParamGroup.DecayMatricesOnly(model.NamedParameters(), 0.1f), 0.9f, 0.95f, 1e-8f);
        var schedule = new LrSchedule(3e-3f, WarmupSteps: 3, TotalSteps: 20, DecayKind.Cosine, MinLrRatio: 0.1f);
        var losses = fx.Values("losses"); var norms = fx.Values("grad_norms"); var lrs = fx.Values("lrs");
        for (int t = 0; t < losses.Length; t++)
        {
            using var scope = TensorScope.Begin();
            opt.ZeroGrad();
            var loss = DecoderModel.Loss(model.Forward(fx.Load($"step{t}.input_ids")), fx.Load($"step{t}.targets"));
            loss.Backward();
            float norm = GradClip.ClipGlobalNorm(model.NamedParameters().Select(p => p.Param), 1f);
            Assert.Equal(lrs[t], schedule.At(t), 1e-9);
            opt.Step(schedule.At(t));
            float l = loss.Item();
            log.WriteLine($"step {t,2}: loss {l:F6} (torch {losses[t]:F6}), grad norm {norm:F5} (torch {norms[t]:F5})");
            Assert.True(Math.Abs(l - losses[t]) <= 1e-4 * Math.Abs(losses[t]), $"step {t}: loss {l} vs PyTorch {losses[t]}");
            Assert.True(Math.Abs(norm - norms[t]) <= 1e-4 * norms[t], $"step {t}: grad norm {norm} vs PyTorch {norms[t]}");
        }
        foreach (var (name, p) in model.NamedParameters())
            Close.Assert("final." + name, p.ToArray(), fx.Values("final." + name), p.Shape.ToArray(), fx.Shape("final." + name), 1e-4, atol: 1e-6);
    }

    [Fact]
    public void SchedulesHaveTheirShapes()
    {
        var cos = new LrSchedule(1f, 10, 110, DecayKind.Cosine, 0.1f);
        Assert.Equal(0.1f, cos.At(0), 6);
        Assert.Equal(1f, cos.At(9), 6);
        Assert.Equal(0.55f, cos.At(60), 4);   // halfway through the decay
        Assert.Equal(0.1f, cos.At(110), 6);
        var lin = new LrSchedule(1f, 0, 100, DecayKind.Linear, 0f);
        Assert.Equal(0.5f, lin.At(50), 6);
        var wsd = new LrSchedule(1f, 0, 100, DecayKind.WarmupStableDecay, 0f, DecayFraction: 0.2f);
        Assert.Equal(1f, wsd.At(79), 6);
        Assert.Equal(0.5f, wsd.At(90), 5);
        Assert.Equal(1f, new LrSchedule(1f, 0, 100, DecayKind.Constant).At(99));
    }

    [Fact]
    public void SgdMomentumMatchesTheClosedForm()
    {
        // f(w) = ½ w², g = w: with momentum μ the buffer is b1 = g1, b2 = μ b1 + g2.
        using var w = Tensor.FromArray([2f], 1);
        w.RequiresGrad = true;
        var sgd = new Sgd([new ParamGroup([("w", w)], 0f)], momentum: 0.5f);
        for (int i = 0; i < 2; i++)
        {
            using var s = TensorScope.Begin();
            sgd.ZeroGrad();
            Ops.Sum(Ops.Mul(w, w) * 0.5f).Backward();
            sgd.Step(0.1f);
        }
        // step 1: b = 2, w = 1.8; step 2: g = 1.8, b = 0.5·2 + 1.8 = 2.8, w = 1.8 − 0.28 = 1.52
        Assert.Equal(1.52f, w.ToArray()[0], 5);
        w.Grad?.Dispose();
    }
}
