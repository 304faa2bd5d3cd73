// Forward hooks: fire once per matching module per forward with its name, input and output; the values are
// the real activations (one layer's input is the previous layer's output; the LM head's output is the
// logits); disposing the handle stops them.
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using Xunit;

namespace SharpLM.Models.Tests.Modules;

public class ForwardHookTests
{
    [Fact]
    public void HooksSeeNamesShapesAndValuesAndStopWhenRemoved()
    {
        using var model = new DecoderModel(DecoderPresets.TinyLlama, seed: 5);
        model.Eval();
        var ids = Tensor.FromArray(new[] { 3, 1, 4, 1, 5, 9, 2, 6 }, 2, 4);
        var calls = new List<(string Name, int[] In, int[] Out, float[] InV, float[] OutV)>();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        float[] logits;
        using (model.AddForwardHook("layers.*", Record))
        using (model.AddForwardHook("k_proj", Record))
        using (model.AddForwardHook("lm_head", Record))
            logits = model.Forward(ids).ToArray();

        Assert.Equal(["model.layers.0.self_attn.k_proj", "model.layers.0", "model.layers.1.self_attn.k_proj", "model.layers.1", "lm_head"],
            calls.Select(c => c.Name));
        var layers = calls.Where(c => c.Name.StartsWith("model.layers.") && !c.Name.EndsWith("k_proj")).ToList();
        Assert.All(layers, c => { Assert.Equal([2, 4, 32], c.In); Assert.Equal([2, 4, 32], c.Out); });
        Assert.Equal([2, 4, 16], calls[0].Out);                  // 2 kv heads × head dim 8
        Assert.Equal(layers[0].OutV, layers[1].InV);             // layer 1 reads what layer 0 wrote
        Assert.Equal([2, 4, 64], calls[^1].Out);
        Assert.Equal(logits, calls[^1].OutV);                    // the head's output is the logits

        calls.Clear();
        model.Forward(ids);
        Assert.Empty(calls);                                     // every handle disposed

        void Record(string name, Tensor input, Tensor output) =>
            calls.Add((name, input.Shape.ToArray(), output.Shape.ToArray(), input.ToArray(), output.ToArray()));
    }

    [Fact]
    public void OneHandleRemovesOnlyItsOwnHookAndUnknownPatternsThrow()
    {
        using var model = new DecoderModel(DecoderPresets.TinyLlama);
        int a = 0, b = 0;
        var ha = model.AddForwardHook("model.norm", (_, _, _) => a++);
        using var hb = model.AddForwardHook("model.norm", (_, _, _) => b++);
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var ids = Tensor.FromArray(new[] { 1, 2, 3 }, 1, 3);
        model.Forward(ids);
        ha.Dispose();
        model.Forward(ids);
        Assert.Equal((1, 2), (a, b));
        Assert.Contains("'nothing.here'", Assert.Throws<InvalidOperationException>(() => model.AddForwardHook("nothing.here", (_, _, _) => { })).Message);
    }
}
