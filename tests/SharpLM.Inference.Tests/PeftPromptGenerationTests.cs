// Generation with prompt-side PEFT adapters through the autograd DecoderModel path (DecoderModelLm + KV cache):
// greedy tokens equal the ones PyTorch picks by full recomputation with the adapter
// (tests/oracles/make_peft_prompt_fixtures.py); the virtual tokens enter each slot's cache once and count against
// the context.
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Peft;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests;

public class PeftPromptGenerationTests
{
    private static string Fixtures => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures");

    [Theory]
    [InlineData("prompt_llama_gqa", "llama_gqa")]
    [InlineData("prompt_gpt2", "gpt2")]
    [InlineData("ptuning_lstm_llama_gqa", "llama_gqa")]
    [InlineData("prefix_plain_llama_gqa", "llama_gqa")]
    [InlineData("prefix_proj_gpt2", "gpt2")]
    [InlineData("adaption_llama_gqa", "llama_gqa")]
    [InlineData("houlsby_gpt2", "gpt2")]
    public void GreedyTokensWithTheAdapterEqualPyTorch(string caseName, string baseName)
    {
        using var model = ModelFile.Load(Path.Combine(Fixtures, baseName));
        PeftAdapterFile.Load(Path.Combine(Fixtures, "peft", caseName), model);
        var fx = new OracleFixture(Path.Combine(Fixtures, "peft", caseName, "oracle.safetensors"));
        var prompt = fx.Values("greedy_prompt").Select(v => (int)v).ToArray();
        var expected = fx.Values("greedy_tokens").Select(v => (int)v).ToArray();
        var r = new TextGenerator(model).Generate(prompt, new GenerationOptions { MaxNewTokens = expected.Length });
        Assert.Equal(expected, r.Tokens);
        // Beam search sizes its caches to prompt + new tokens; the virtual tokens come on top.
        var beams = new BeamSearch(model).Run(prompt, beams: 2, maxNewTokens: expected.Length);
        Assert.Equal(expected.Length, beams[0].Tokens.Length);
    }

    [Fact]
    public void TheVirtualTokensCountAgainstTheContext()
    {
        using var model = ModelFile.Load(Path.Combine(Fixtures, "gpt2"));              // 32 positions
        PromptTuningAdapter.Attach(model, 28);
        using var lm = new DecoderModelLm(model);
        var logits = new float[model.Config.VocabSize];
        lm.Forward([1, 2, 3], 0, logits);
        lm.Forward([4], 3, logits);                                                      // continues at the real position
        var e = Assert.Throws<InvalidOperationException>(() => lm.Forward([5], 4, logits));
        Assert.Contains("28 virtual tokens", e.Message);
        Assert.Contains("context length 32", e.Message);
    }
}
