// WriterRoundTripTests: a tokenizer written as tokenizer.json or as a vocab-only GGUF and read back must give
// the reference ids again (llama.cpp .inp/.out for the GGUF vocabularies, tiktoken's for GPT-2).
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class WriterRoundTripTests
{
    public static TheoryData<string> Vocabs => new() { "llama-spm", "phi-3", "gpt-2", "deepseek-coder", "mpt", "bert-bge" };

    private static void AssertReference(Tokenizer tok, string name)
    {
        string gguf = SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{name}.gguf");
        var inputs = SharedData.ReadVocabTestInputs(gguf + ".inp");
        var outputs = SharedData.ReadVocabTestOutputs(gguf + ".out");
        for (int i = 0; i < inputs.Count; i++) Assert.Equal(outputs[i], tok.Encode(inputs[i]));
    }

    private static string TempFile(string ext) => Path.Combine(Path.GetTempPath(), $"sharplm-{Guid.NewGuid():N}{ext}");

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void GgufVocabOnlyFileReadsBack(string name)
    {
        var tok = GgufTokenizerLoader.Load(SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{name}.gguf"));
        string p = TempFile(".gguf");
        try
        {
            GgufVocabWriter.WriteVocabOnly(p, tok);
            var back = GgufTokenizerLoader.Load(p);
            Assert.Equal(tok.Vocab.Tokens, back.Vocab.Tokens);
            Assert.Equal(tok.Specials, back.Specials);
            AssertReference(back, name);
        }
        finally { File.Delete(p); }
    }

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void TokenizerJsonReadsBack(string name)
    {
        var tok = GgufTokenizerLoader.Load(SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{name}.gguf"));
        string p = TempFile(".json");
        try
        {
            HfTokenizerJsonWriter.Write(tok, p);
            var back = HfTokenizerJsonReader.Load(p);
            Assert.Equal(tok.Kind, back.Kind);
            Assert.Equal(tok.Vocab.Tokens, back.Vocab.Tokens);
            AssertReference(back, name);
        }
        finally { File.Delete(p); }
    }

    [Fact]
    public void Gpt2TokenizerJsonMatchesTiktoken()
    {
        var tok = TiktokenOracleTests.Gpt2();
        string p = TempFile(".json");
        try
        {
            HfTokenizerJsonWriter.Write(tok, p);
            var back = TokenizerLoader.Load(p);
            string text = File.ReadAllText(SharedData.File_("bpe-reference/tinystories_sample.txt"));
            Assert.Equal(tok.Encode(text), back.Encode(text));
            Assert.Equal([50256], back.Encode("<|endoftext|>", parseSpecial: true));
        }
        finally { File.Delete(p); }
    }
}
