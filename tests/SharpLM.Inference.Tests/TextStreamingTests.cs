// Text streaming and stop strings. The oracle for streamed text is the tokenizer's own decode of all the ids
// (real tokenizers from ../shared: LLaMA-2 SentencePiece, which drops a decode's leading space, and GPT-2
// byte-level BPE, which splits UTF-8 characters across tokens); stop strings follow OpenAI/HF semantics —
// the text ends right before the first occurrence, and nothing emitted is ever taken back.
using System.Text;
using SharpLM.Inference.Generation;
using SharpLM.Models.Checkpoints;
using SharpLM.TestSupport;
using SharpLM.Text;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Inference.Tests;

public class TextStreamingTests
{
    private const string Sample = "Hello, wörld! 日本語のテキスト — emoji 🎉🦀 and  double  spaces.\nNew line: naïve café.";

    private static Tokenizer Llama() => SentencePieceModelReader.LoadTokenizer(RepoPaths.SharedData("tokenizers", "llama2", "tokenizer.model"));

    private static Tokenizer Gpt2() => Gpt2VocabLoader.Load(RepoPaths.SharedData("tokenizers", "gpt2", "vocab.json"), RepoPaths.SharedData("tokenizers", "gpt2", "merges.txt"));

    public static TheoryData<string> Tokenizers => new() { "llama2", "gpt2" };

    [Theory, MemberData(nameof(Tokenizers))]
    public void StreamedPiecesConcatenateToTheFullDecode(string name)
    {
        var tok = name == "llama2" ? Llama() : Gpt2();
        var ids = tok.Encode(Sample);
        string full = tok.Decode(ids);
        Assert.Contains("🎉", full); // the tokenizer round-trips the sample, so the oracle is meaningful
        var streamer = new TextStreamer(a => tok.Decode(a));
        var pieces = ids.Select(streamer.Push).ToList();
        pieces.Add(streamer.Finish());
        Assert.Equal(full, string.Concat(pieces));
        Assert.Equal(full, streamer.Text);
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        if (name == "gpt2") Assert.Contains(pieces, p => p.Length == 0); // a character split over tokens waits for its last byte
    }

    // A "tokenizer" whose ids are UTF-8 bytes: every prefix of a multi-byte character decodes to U+FFFD.
    private static int[] Bytes(string s) => Encoding.UTF8.GetBytes(s).Select(b => (int)b).ToArray();
    private static string FromBytes(int[] ids) => Encoding.UTF8.GetString(ids.Select(i => (byte)i).ToArray());

    [Fact]
    public void StopStringCutsTheTextAndHoldsBackPossibleStarts()
    {
        var s = new TextStreamer(FromBytes, ["STOP", "<end>"]);
        var emitted = new StringBuilder();
        foreach (int b in Bytes("ab S")) emitted.Append(s.Push(b));
        Assert.Equal("ab ", emitted.ToString());            // "S" could start "STOP": held back
        foreach (int b in Bytes("Tx ST")) emitted.Append(s.Push(b));
        Assert.Equal("ab STx ", emitted.ToString());        // "STx" is not a stop: released; "ST" held again
        foreach (int b in Bytes("OP tail")) emitted.Append(s.Push(b));
        Assert.True(s.Stopped);
        Assert.Equal("ab STx ", emitted.ToString());
        Assert.Equal("ab STx ", s.Text);
        Assert.Equal("", s.Push('z'));                      // after the stop nothing more is text
        Assert.Equal("", s.Finish());
    }

    [Fact]
    public void EarliestStopWinsEvenInsideOneToken()
    {
        // ids → whole strings, so one token can hold text, a stop string and more text
        string[] vocab = ["one two", " x<end>y STOP", " never"];
        var s = new TextStreamer(ids => string.Concat(ids.Select(i => vocab[i])), ["STOP", "<end>"]);
        Assert.Equal("one two", s.Push(0));
        Assert.Equal(" x", s.Push(1));
        Assert.True(s.Stopped);
        Assert.Equal("one two x", s.Text);
    }

    [Fact]
    public void HeldTextIsReleasedWhenGenerationEndsOtherwise()
    {
        var s = new TextStreamer(FromBytes, ["STOP"]);
        string a = string.Concat(Bytes("end ST").Select(s.Push));
        Assert.Equal("end ", a);
        Assert.Equal("ST", s.Finish());
        Assert.Equal("end ST", s.Text);
        Assert.Throws<ArgumentException>(() => new TextStreamer(FromBytes, ["ok", ""]));
    }

    private static string ModelDir(string name) => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);

    [Fact]
    public async Task GenerationStopsAtAStopStringAloneBatchedAndStreamed()
    {
        using var model = ModelFile.Load(ModelDir("llama_gqa")); // PyTorch-checked tiny LLaMA (GenerationTests)
        var gen = new TextGenerator(model);
        int[] prompt = [1, 5, 9, 3];
        static string Detok(int[] ids) => string.Concat(ids.Select(i => (char)('a' + i % 26))); // one letter per id
        var free = gen.Generate(prompt, new GenerationOptions { MaxNewTokens = 24, Detokenize = Detok });
        Assert.Equal(Detok(free.Tokens), free.Text);
        // Stop on the 2-letter string that the free run produces at letters 6–7: generation ends on the token
        // completing its first occurrence and the text ends before it.
        string stop = free.Text![6..8];
        int at = free.Text.IndexOf(stop, StringComparison.Ordinal);
        var opts = new GenerationOptions { MaxNewTokens = 24, Detokenize = Detok, StopStrings = [stop] };
        var r = gen.Generate(prompt, opts);
        Assert.Equal(FinishReason.Stop, r.Finish);
        Assert.Equal(free.Text[..at], r.Text);
        Assert.Equal(free.Tokens[..(at + 2)], r.Tokens);
        var streamed = new StringBuilder();
        await foreach (var piece in gen.StreamTextAsync(prompt, opts)) streamed.Append(piece);
        Assert.Equal(r.Text, streamed.ToString());
        var pieces = new List<string>();
        Assert.Equal(r.Text, gen.Generate(prompt, opts, onText: pieces.Add).Text);
        Assert.Equal(r.Text, string.Concat(pieces));
        var batch = gen.GenerateBatch([prompt, prompt], [opts, opts with { StopStrings = [] }]);
        Assert.Equal(r.Text, batch.Results[0].Text);
        Assert.Equal(FinishReason.Stop, batch.Results[0].Finish);
        Assert.Equal(free.Text, batch.Results[1].Text);
        Assert.Throws<ArgumentException>(() => gen.Generate(prompt, opts with { Detokenize = null }));
    }
}
