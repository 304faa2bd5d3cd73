// GgufVocabTests: every .inp/.out pair of llama.cpp's vocabulary tests (HF tokenizers' ids for 46 strings:
// whitespace runs, digits, emoji, CJK, Khmer, Cyrillic) must come out exactly, with no BOS and special
// tokens not parsed; decoding must give the input back where the vocabulary can represent it.
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class GgufVocabTests
{
    public static TheoryData<string> Vocabs => new() { "llama-spm", "phi-3", "gpt-2", "deepseek-coder", "mpt", "bert-bge" };

    private static string Gguf(string name) => SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{name}.gguf");

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void EncodeMatchesReference(string name)
    {
        var tok = GgufTokenizerLoader.Load(Gguf(name));
        var inputs = SharedData.ReadVocabTestInputs(Gguf(name) + ".inp");
        var outputs = SharedData.ReadVocabTestOutputs(Gguf(name) + ".out");
        Assert.Equal(outputs.Count, inputs.Count);
        var failures = new List<string>();
        for (int i = 0; i < inputs.Count; i++)
        {
            var got = tok.Encode(inputs[i]);
            if (!got.SequenceEqual(outputs[i]))
                failures.Add($"#{i} \"{inputs[i]}\": expected [{string.Join(' ', outputs[i])}] got [{string.Join(' ', got)}]");
            Assert.Equal(got.Length, tok.CountTokens(inputs[i]));
        }
        Assert.True(failures.Count == 0, $"{name}: {failures.Count} of {inputs.Count} differ:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("phi-3")]
    [InlineData("gpt-2")]
    [InlineData("deepseek-coder")]
    [InlineData("mpt")]
    public void DecodeRoundTrips(string name)
    {
        var tok = GgufTokenizerLoader.Load(Gguf(name));
        foreach (var s in SharedData.ReadVocabTestInputs(Gguf(name) + ".inp"))
            Assert.Equal(s, tok.Decode(tok.Encode(s)));
    }

    [Theory]
    [InlineData("baichuan", "SentencePiece BPE")]
    [InlineData("gpt-neox", "byte-level BPE")]
    public void OtherVocabsLoadAndRoundTrip(string name, string kind)
    {
        var tok = GgufTokenizerLoader.Load(Gguf(name));
        Assert.Equal(kind, tok.Kind);
        foreach (var s in new[] { "Hello world", " 我想在apple工作1314151天～", "🦙 llamas\n\n  indented" })
            Assert.Equal(s, tok.Decode(tok.Encode(s)));
    }

    [Fact]
    public void BertAddsClsAndSep()
    {
        var tok = GgufTokenizerLoader.Load(Gguf("bert-bge"));
        var ids = tok.Encode("Hello, world!", addSpecial: true);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        Assert.Equal("hello , world !", tok.Decode(ids, skipSpecial: true));
    }

    [Fact]
    public void SpecialTokensParseOnlyWhenAsked()
    {
        var tok = GgufTokenizerLoader.Load(Gguf("gpt-2"));
        Assert.Equal([50256], tok.Encode("<|endoftext|>", parseSpecial: true));
        Assert.NotEqual([50256], tok.Encode("<|endoftext|>"));
        var llama = GgufTokenizerLoader.Load(Gguf("llama-spm"));
        Assert.Equal(1, llama.Encode("Hi", addSpecial: true)[0]);
        Assert.Equal("Hi", llama.Decode(llama.Encode("Hi", addSpecial: true), skipSpecial: true));
    }
}
