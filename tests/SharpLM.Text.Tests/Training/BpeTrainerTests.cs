using System.Text.Json;
using SharpLM.Text.Training;
using Xunit;

namespace SharpLM.Text.Tests.Training;

public class BpeTrainerTests
{
    private static readonly BpeTrainerOptions Reference = new() { VocabSize = 500, SpecialTokens = ["<|endoftext|>"] };

    private static BpeTrainingResult TrainReference(int threads = 2) =>
        BpeTrainer.Train([File.ReadAllText(SharedData.Path("bpe-reference/corpus.en"))], Reference with { Threads = threads });

    [Fact]
    public void Merges_equal_reference_in_order()
    {
        var expected = File.ReadAllLines(SharedData.Path("bpe-reference/train-bpe-reference-merges.txt")).Where(l => l.Length > 0).ToArray();
        var actual = TrainReference().MergeLines().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i] == actual[i], $"merge {i}: expected '{expected[i]}', got '{actual[i]}'");
    }

    [Fact]
    public void Vocab_equals_reference()
    {
        var expected = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(SharedData.Path("bpe-reference/train-bpe-reference-vocab.json")))!;
        var bpe = TrainReference();
        var actual = JsonSerializer.Deserialize<Dictionary<string, int>>(BpeFiles.VocabJson(bpe))!;
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (token, id) in expected) Assert.True(actual.TryGetValue(token, out var got) && got == id, $"token '{token}': expected id {id}, got {(actual.TryGetValue(token, out var g) ? g : -1)}");
    }

    [Fact]
    public void Thread_count_does_not_change_the_result()
    {
        Assert.Equal(TrainReference(1).MergeLines(), TrainReference(2).MergeLines());
        Assert.Equal(TrainReference(1).MergeLines(), TrainReference(4).MergeLines());
    }

    [Fact]
    public void Chunk_bounds_give_the_same_counts_as_one_chunk()
    {
        var text = File.ReadAllText(SharedData.Path("corpora/tinyshakespeare.txt"));
        var regex = SharpLM.Text.PreTokenization.PreTokenizerPatterns.Compile(SharpLM.Text.PreTokenization.PreTokenizerPatterns.Gpt2);
        var one = PreTokenCounter.Count(text, regex, [], 1);
        var many = PreTokenCounter.Count(text, regex, [], 7);
        Assert.Equal(one.OrderBy(k => k.Key, StringComparer.Ordinal), many.OrderBy(k => k.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Special_tokens_split_the_corpus_and_are_not_counted()
    {
        var regex = SharpLM.Text.PreTokenization.PreTokenizerPatterns.Compile(SharpLM.Text.PreTokenization.PreTokenizerPatterns.Gpt2);
        var counts = PreTokenCounter.Count("ab<|endoftext|>ab cd", regex, ["<|endoftext|>"], 1);
        Assert.Equal(2, counts["ab"]);
        Assert.Equal(1, counts[" cd"]);
        Assert.DoesNotContain(counts.Keys, k => k.Contains('<') || k.Contains('|'));
    }

    [Fact]
    public void Writers_produce_gpt2_and_hf_formats()
    {
        var bpe = TrainReference();
        var merges = BpeFiles.MergesTxt(bpe).Split('\n');
        Assert.Equal("#version: 0.2", merges[0]);
        Assert.Equal("Ġ t", merges[1]);
        using var doc = JsonDocument.Parse(BpeFiles.TokenizerJson(bpe));
        var root = doc.RootElement;
        Assert.Equal("BPE", root.GetProperty("model").GetProperty("type").GetString());
        Assert.Equal("ByteLevel", root.GetProperty("pre_tokenizer").GetProperty("type").GetString());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
        var added = root.GetProperty("added_tokens")[0];
        Assert.Equal("<|endoftext|>", added.GetProperty("content").GetString());
        Assert.Equal(0, added.GetProperty("id").GetInt32());
        Assert.True(added.GetProperty("special").GetBoolean());
        Assert.Equal(500, root.GetProperty("model").GetProperty("vocab").EnumerateObject().Count());
        Assert.Equal(243, root.GetProperty("model").GetProperty("merges").GetArrayLength());
    }

    [Fact]
    public void Vocab_too_small_fails_naming_the_field()
    {
        var ex = Assert.Throws<ArgumentException>(() => BpeTrainer.Train(["x"], new BpeTrainerOptions { VocabSize = 100 }));
        Assert.Contains("VocabSize", ex.Message);
    }
}
