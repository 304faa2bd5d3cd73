// ModelOpener on good input: the PyTorch-checked llama_gqa HF folder opens on DecoderEngine (from memory) with the
// DecoderModel's last-token logits; the same weights saved as GGUF and as llama2.c open on the engine too; the
// GPT-2 fixture opens on the engine from memory; options reach the executor; a config the engine refuses runs on
// the reference DecoderModelLm; a folder with tokenizer.json + tokenizer_config.json gives encode/decode/EOS and
// its chat template; a character vocabulary gives ChatML.
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Loading;
using SharpLM.Inference.Tests.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Transformer;
using SharpLM.Text.ChatTemplates;
using SharpLM.Text.Formats;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Loading;

public sealed class ModelOpenerTests : IDisposable
{
    private static readonly int[] Seq = [3, 17, 42, 5, 9, 63, 0, 28];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-opener-" + Guid.NewGuid().ToString("N")[..8]);

    public ModelOpenerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    internal static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);

    /// <summary>The last token's logits of <paramref name="seq"/> fed at once to <paramref name="lm"/>.</summary>
    private static float[] LastLogits(ICausalLm lm, int[] seq)
    {
        var logits = new float[lm.VocabSize];
        lm.Forward(seq, 0, logits);
        return logits;
    }

    /// <summary>The DecoderModel's logits of the last position of <paramref name="seq"/> (full recompute, no cache).</summary>
    private static float[] ReferenceLast(DecoderModel model, int[] seq)
    {
        var all = LlamaGqaGguf.Logits(model, seq);
        int v = model.Config.VocabSize;
        return all[^v..];
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        float d = LlamaGqaGguf.MaxAbsDiff(actual, expected);
        Assert.True(d <= 1e-4f, $"{what}: max |Δ| = {d:E2}");
    }

    [Fact]
    public void HfFolderOpensOnTheEngineWithTheDecoderModelsLogits()
    {
        using var model = ModelFile.Load(Fixture("llama_gqa"));
        using var opened = ModelOpener.Open(Fixture("llama_gqa"));
        Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.True(opened.OnEngine);
        Assert.Null(opened.EngineRefusal);
        Assert.Equal(ModelFileFormat.HfDirectory, opened.Format);
        Assert.Equal(model.Config, opened.Config);
        Assert.Null(opened.Tokenizer);                       // the fixture has no tokenizer.json; not required by default
        Assert.IsType<ChatMLTemplate>(opened.Template);
        Assert.Throws<InvalidOperationException>(() => opened.Model); // not asked for
        AssertClose(ReferenceLast(model, Seq), LastLogits(opened.Lm, Seq), "HF folder on the engine");
    }

    [Theory]
    [InlineData("model.gguf", ModelFileFormat.Gguf)]
    [InlineData("model.bin", ModelFileFormat.Llama2c)]
    public void TheFixtureSavedAsAFileOpensOnTheEngine(string name, ModelFileFormat format)
    {
        using var model = ModelFile.Load(Fixture("llama_gqa"));
        string path = Path.Combine(_dir, name);
        ModelFile.Save(model, path, format);
        using var opened = ModelOpener.Open(path, new ModelOpenOptions { DecoderModel = true });
        Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.Equal(format, opened.Format);
        Assert.Equal(model.Config.Dim, opened.Model.Config.Dim);
        // llama2.c stores no norm epsilon (1e-5 on load, the fixture has 1e-6): ~1e-4 on these logits, so compare with the loaded model.
        AssertClose(ReferenceLast(format == ModelFileFormat.Gguf ? model : opened.Model, Seq), LastLogits(opened.Lm, Seq), $"{format} on the engine");
    }

    [Fact]
    public void Gpt2OpensOnTheEngineFromMemory()
    {
        using var model = ModelFile.Load(Fixture("gpt2"));
        using var opened = ModelOpener.Open(Fixture("gpt2"), new ModelOpenOptions { Tokenizer = TokenizerUse.None });
        Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.Equal(ModelFamily.Gpt2, opened.Config.Family);
        int[] seq = Seq.Select(t => t % model.Config.VocabSize).ToArray();
        AssertClose(ReferenceLast(model, seq), LastLogits(opened.Lm, seq), "GPT-2 on the engine");
    }

    [Fact]
    public void OptionsReachTheExecutor()
    {
        using var opened = ModelOpener.Open(Fixture("llama_gqa"), new ModelOpenOptions { MaxSequences = 3, ContextLength = 10, KvType = KvCacheType.F16 });
        var engine = Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.Equal((3, 10, KvCacheType.F16), (engine.MaxSequences, engine.ContextLength, engine.KvType));
        using var capped = ModelOpener.Open(Fixture("llama_gqa"), new ModelOpenOptions { ContextLength = 1000 });
        Assert.Equal(32, capped.Lm.ContextLength);         // capped at the model's context
        using var weightsOnly = ModelOpener.Open(Fixture("llama_gqa"), new ModelOpenOptions { Executor = false, DecoderModel = true });
        Assert.Throws<InvalidOperationException>(() => weightsOnly.Lm);
        Assert.Equal(64, weightsOnly.Model.Config.VocabSize);
    }

    [Fact]
    public void AConfigTheEngineRefusesRunsOnTheReferenceModel()
    {
        var config = new DecoderConfig { VocabSize = 16, Dim = 8, Layers = 1, Heads = 2, KvHeads = 2, FfnDim = 16, MaxPositions = 8, PreNorm = false };
        var opened = ModelOpener.FromModel("post-norm", ModelFileFormat.HfDirectory, new DecoderModel(config), new ModelOpenOptions { MaxSequences = 2 }, null);
        using (opened)
        {
            var lm = Assert.IsType<DecoderModelLm>(opened.Lm);
            Assert.False(opened.OnEngine);
            Assert.Contains("post-norm", opened.EngineRefusal);
            Assert.Equal(2, lm.MaxSequences);
            Assert.Same(lm.Model, opened.Model);
        }
        var e = Assert.Throws<NotSupportedException>(() => ModelOpener.FromModel("post-norm-model", ModelFileFormat.HfDirectory, new DecoderModel(config),
            new ModelOpenOptions { KvType = KvCacheType.F16 }, null));
        Assert.Contains("post-norm-model", e.Message);
        Assert.Contains("F16 KV cache needs the inference engine", e.Message);
    }

    /// <summary>The llama_gqa weights in a folder of their own, plus GPT-2's tokenizer written as tokenizer.json and a tokenizer_config.json.</summary>
    private string FolderWithTokenizer(string? chatTemplate)
    {
        string dir = Path.Combine(_dir, "with-tokenizer");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(Fixture("llama_gqa"), f), Path.Combine(dir, f));
        var gpt2 = TokenizerLoader.Load(RepoPaths.SharedData("tokenizers", "gpt2"));
        HfTokenizerJsonWriter.Write(gpt2, Path.Combine(dir, "tokenizer.json"));
        // As Hugging Face ships it: the EOS token (and the chat template, when the model has one) in tokenizer_config.json.
        var config = new Dictionary<string, string> { ["eos_token"] = "<|endoftext|>" };
        if (chatTemplate is not null) config["chat_template"] = chatTemplate;
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), System.Text.Json.JsonSerializer.Serialize(config));
        return dir;
    }

    [Fact]
    public void AFolderWithATokenizerGivesEncodeDecodeEosAndItsChatTemplate()
    {
        string dir = FolderWithTokenizer("{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}");
        using var opened = ModelOpener.Open(dir, new ModelOpenOptions { Tokenizer = TokenizerUse.Required });
        var tok = opened.Tokenizer!;
        Assert.Equal(Path.Combine(dir, "tokenizer.json"), tok.Source);
        Assert.Equal([15496, 995], tok.Encode("Hello world"));   // GPT-2's ids
        Assert.Equal("Hello world", tok.Decode(tok.Encode("Hello world")));
        Assert.Equal(50256, tok.Eos);
        Assert.Equal(50257, tok.VocabSize);
        Assert.Equal("", tok.Decode([50256]));                    // specials are skipped
        var text = opened.Template.Render([ChatMessage.User("hi")], addGenerationPrompt: true).Text;
        Assert.Equal("[user] hi<|endoftext|>[assistant] ", text);
        Assert.Same(tok.Template, opened.Template);
    }

    [Fact]
    public void WithoutTokenizerConfigTheTemplateIsChatMLAndACharVocabularyHasNoEos()
    {
        using (var opened = ModelOpener.Open(FolderWithTokenizer(null)))
            Assert.IsType<ChatMLTemplate>(opened.Template);
        string dir = Path.Combine(_dir, "with-tokenizer");
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), SharpLM.Text.Char.CharTokenizer.FromCorpus("abc ").ToJson());
        using var chars = ModelOpener.Open(dir);
        Assert.Null(chars.Tokenizer!.Tokenizer);
        Assert.Null(chars.Tokenizer.Eos);
        Assert.Equal("cab", chars.Tokenizer.Decode(chars.Tokenizer.Encode("cab")));
        Assert.IsType<ChatMLTemplate>(chars.Template);
    }

    [Fact]
    public void AGgufCarriesItsTokenizer()
    {
        using var model = ModelFile.Load(Fixture("llama_gqa"));
        string path = Path.Combine(_dir, "vocab.gguf");
        ModelFile.Save(model, path, ModelFileFormat.Gguf, GgmlType.Q8_0); // placeholder vocabulary of 64 tokens
        using var opened = ModelOpener.Open(path);
        Assert.Equal(64, opened.Tokenizer!.VocabSize);
        Assert.Equal(2, opened.Tokenizer.Eos);
        Assert.Equal(path, opened.Tokenizer.Source);
        Assert.Equal(GgmlType.Q8_0, ((DecoderEngine)opened.Lm).WeightType);
    }
}
