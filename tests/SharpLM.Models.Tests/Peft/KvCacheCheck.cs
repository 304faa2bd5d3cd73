// KvCacheCheck: an adapter's model decoding with a KvCache — prefill 5 tokens, then one at a time — gives the full
// forward's logits and the PyTorch oracle's; virtual tokens (prompt, P-tuning, prefix) enter the cache once.
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Models.Tests.Peft;

/// <summary>Prefill 5 tokens, then decode one at a time with a KvCache: equals the full forward and the oracle.</summary>
internal static class KvCacheCheck
{
    public static void Run(string caseName, string baseName)
    {
        using var model = PeftPromptOracle.BaseModel(baseName);
        var adapter = PeftAdapterFile.Load(PeftPromptOracle.CaseDir(caseName), model);
        var fx = PeftPromptOracle.Oracle(caseName);
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var ids = fx.Load("input_ids");
        int b = ids.Shape[0], t = ids.Shape[1], v = model.Config.VocabSize, nv = model.VirtualTokens?.Count ?? 0;
        var full = model.Forward(ids).ToArray();
        using var cache = new KvCache(model.Config, b, capacity: nv + t);
        var steps = new List<float[]> { model.Forward(ids.Narrow(1, 0, 5), cache: cache).ToArray() };
        Assert.Equal(nv + 5, cache.Length);                                            // virtual tokens go in once
        for (int i = 5; i < t; i++) steps.Add(model.Forward(ids.Narrow(1, i, 1), cache: cache).ToArray());
        Assert.Equal(nv + t, cache.Length);
        var expected = fx.Values("logits");
        for (int bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
            {
                float[] chunk = ti < 5 ? steps[0] : steps[ti - 4];
                int tt = ti < 5 ? ti : 0, tlen = ti < 5 ? 5 : 1;
                for (int j = 0; j < v; j++)
                {
                    float inc = chunk[(bi * tlen + tt) * v + j];
                    Assert.True(Math.Abs(inc - full[(bi * t + ti) * v + j]) <= 1e-5f, $"{caseName} b{bi} t{ti}: cached {inc} vs full {full[(bi * t + ti) * v + j]}");
                    Assert.True(Math.Abs(inc - expected[(bi * t + ti) * v + j]) <= 1e-4, $"{caseName} b{bi} t{ti}: cached {inc} vs PyTorch {expected[(bi * t + ti) * v + j]}");
                }
            }
        adapter.Detach();
    }
}
