// SentencePieceFileTests: Llama 2's tokenizer.model (protobuf) and llama2.c's tokenizer.bin must hold the same
// vocabulary as the llama-spm GGUF and give exactly its reference ids on the llama.cpp test strings.
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class SentencePieceFileTests
{
    private static readonly string Gguf = "tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf";

    public static TheoryData<string> Files => new() { "tokenizer.model", "tokenizer.bin" };

    private static Tokenizer Load(string file) => file.EndsWith(".model")
        ? SentencePieceModelReader.LoadTokenizer(SharedData.File_("tokenizers/llama2/" + file))
        : Llama2cTokenizerReader.Load(SharedData.File_("tokenizers/llama2/" + file));

    [Theory]
    [MemberData(nameof(Files))]
    public void SameIdsAsLlamaSpmGguf(string file)
    {
        var tok = Load(file);
        var inputs = SharedData.ReadVocabTestInputs(SharedData.File_(Gguf + ".inp"));
        var outputs = SharedData.ReadVocabTestOutputs(SharedData.File_(Gguf + ".out"));
        for (int i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(outputs[i], tok.Encode(inputs[i]));
            Assert.Equal(inputs[i], tok.Decode(tok.Encode(inputs[i])));
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void VocabularyEqualsGguf(string file)
    {
        var tok = Load(file);
        var gguf = GgufTokenizerLoader.Load(SharedData.File_(Gguf));
        Assert.Equal(gguf.VocabSize, tok.VocabSize);
        Assert.Equal(gguf.Vocab.Tokens, tok.Vocab.Tokens);
        Assert.Equal(gguf.Vocab.Scores, tok.Vocab.Scores);
        Assert.Equal(gguf.Vocab.Types, tok.Vocab.Types);
        Assert.Equal((1, 2, 0), (tok.Specials.Bos, tok.Specials.Eos, tok.Specials.Unk));
    }

    [Fact]
    public void MalformedModelNamesTheFile()
    {
        string p = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.model");
        File.WriteAllBytes(p, [0x0A, 0xFF, 0x01]);
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => SentencePieceModelReader.Read(p));
            Assert.Contains(p, ex.Message);
        }
        finally { File.Delete(p); }
    }
}
