// LlamaCppStyleGgufTests: a GGUF laid out the way llama.cpp's converter (convert_hf_to_gguf.py + gguf-py) writes a
// LLaMA — llama.cpp's own SentencePiece vocabulary file (models/ggml-vocab-llama-spm.gguf) for the tokenizer keys,
// every token id as u32 with the separator and padding ids u32 4294967295 (LLAMA_TOKEN_NULL, "no token"), and a
// training context of 16 — must open, encode text as HF does (llama.cpp's .inp/.out vectors) and, when asked as
// llama.cpp's -c asks, run past the training context: the positions beyond 16 equal a file that declares 40.
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Transformer;
using SharpLM.TestSupport;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Inference.Tests.Loading;

public sealed class LlamaCppStyleGgufTests : IDisposable
{
    private const int TrainingContext = 16;
    private static readonly string Vocab = RepoPaths.SharedData("tokenizers", "gguf-vocab", "ggml-vocab-llama-spm.gguf");
    private readonly string _dir = Directory.CreateTempSubdirectory("sharplm-llamacpp-style-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>A random 2-layer LLaMA over the 32000-token vocabulary, written as SharpLM writes it, then rewritten
    /// with llama.cpp's tokenizer keys, u32 ids ("none" = 0xFFFFFFFF) and <paramref name="context"/> as context_length.</summary>
    private string Write(string name, int context)
    {
        var vocab = new GgufMetadata(GgufFile.Open(Vocab));
        int n = vocab.GetStringArray(GgufKeys.TokenizerTokens)!.Length;
        var cfg = LlamaFamily.TinyLlama with { VocabSize = n, Dim = 32, MaxPositions = 64 };
        string plain = Path.Combine(_dir, name + ".sharplm.gguf");
        using (var model = new DecoderModel(cfg, seed: 7)) ModelFile.Save(model, plain, ModelFileFormat.Gguf, GgmlType.F32);
        string path = Path.Combine(_dir, name + ".gguf");
        using var f = GgufFile.Open(plain);
        var w = new GgufWriter();
        foreach (var k in f.Keys.Where(k => !k.StartsWith("tokenizer.", StringComparison.Ordinal)))
            w.Add(k, k == "llama.context_length" ? GgufValue.UInt32((uint)context) : f.Metadata[k]);
        foreach (var (k, v) in vocab.Pairs.Where(p => p.Key.StartsWith("tokenizer.", StringComparison.Ordinal)
                                                    && p.Key != GgufKeys.TokenizerSeparatorId && p.Key != GgufKeys.TokenizerPaddingId))
            w.Add(k, v);
        w.Add(GgufKeys.TokenizerSeparatorId, GgufValue.UInt32(uint.MaxValue)); // what the converter writes for "no token"
        w.Add(GgufKeys.TokenizerPaddingId, GgufValue.UInt32(uint.MaxValue));
        foreach (var t in f.Tensors) w.AddTensorBytes(t.Name, t.Type, t.Shape, t.Data.ToArray());
        w.Write(path);
        return path;
    }

    [Fact]
    public void TheIdsAreU32AndTheNoTokenIdsReadAsNone()
    {
        var md = GgufMetadata.Read(Write("ids", TrainingContext));
        Assert.Equal(GgufValueType.UInt32, md.Get(GgufKeys.TokenizerPaddingId)!.Type);
        Assert.Equal(GgufValueType.UInt32, md.Get(GgufKeys.TokenizerBosId)!.Type);
        Assert.True(md.TryGetTokenId(GgufKeys.TokenizerPaddingId, 32000, out int? pad));
        Assert.Null(pad);
        Assert.True(md.TryGetTokenId(GgufKeys.TokenizerBosId, 32000, out int? bos));
        Assert.Equal(1, bos);
        Assert.False(md.TryGetTokenId(GgufKeys.TokenizerMaskId, 32000, out _));
        var tok = GgufTokenizerLoader.Load(md);
        Assert.Null(tok.Specials.Pad);
        Assert.Null(tok.Specials.Sep);
        Assert.Equal(2, tok.Specials.Eos);
    }

    [Theory]
    [InlineData(GgufValueType.UInt8)]
    [InlineData(GgufValueType.Int8)]
    [InlineData(GgufValueType.UInt16)]
    [InlineData(GgufValueType.Int16)]
    [InlineData(GgufValueType.UInt32)]
    [InlineData(GgufValueType.Int32)]
    [InlineData(GgufValueType.UInt64)]
    [InlineData(GgufValueType.Int64)]
    public void EveryIntegerTypeIsATokenIdAndAllOnesOrNegativeIsNone(GgufValueType type)
    {
        GgufValue Of(long v, bool allOnes) => type switch
        {
            GgufValueType.UInt8 => GgufValue.UInt8(allOnes ? byte.MaxValue : (byte)v),
            GgufValueType.Int8 => GgufValue.Int8(allOnes ? (sbyte)-1 : (sbyte)v),
            GgufValueType.UInt16 => GgufValue.UInt16(allOnes ? ushort.MaxValue : (ushort)v),
            GgufValueType.Int16 => GgufValue.Int16(allOnes ? (short)-1 : (short)v),
            GgufValueType.UInt32 => GgufValue.UInt32(allOnes ? uint.MaxValue : (uint)v),
            GgufValueType.Int32 => GgufValue.Int32(allOnes ? -1 : (int)v),
            GgufValueType.UInt64 => GgufValue.UInt64(allOnes ? ulong.MaxValue : (ulong)v),
            _ => GgufValue.Int64(allOnes ? -1 : v),
        };
        var md = new GgufMetadata("t.gguf", [KeyValuePair.Create("id", Of(100, false)), KeyValuePair.Create("none", Of(0, true))]);
        Assert.True(md.TryGetTokenId("id", 200, out int? id));
        Assert.Equal(100, id);
        Assert.True(md.TryGetTokenId("none", 200, out int? none));
        Assert.Null(none); // u8 255 / u16 65535 are beyond this 200-token vocabulary: none as well
        var bad = new GgufMetadata("t.gguf", [KeyValuePair.Create("id", GgufValue.String("1"))]);
        Assert.Contains("id", Assert.ThrowsAny<Exception>(() => bad.TryGetTokenId("id", 200, out _)).Message);
    }

    [Fact]
    public void ItOpensAndEncodesTextAsHuggingFace()
    {
        string path = Write("open", TrainingContext);
        using var opened = ModelOpener.Open(path, new ModelOpenOptions { Tokenizer = TokenizerUse.Required });
        Assert.Equal(TrainingContext, opened.Lm.ContextLength);
        var inputs = VocabTestFiles.ReadInputs(Vocab + ".inp");
        var outputs = VocabTestFiles.ReadOutputs(Vocab + ".out");
        var tok = opened.Tokenizer!.Tokenizer!;
        for (int i = 0; i < inputs.Count; i++)
            Assert.Equal(outputs[i], tok.Encode(inputs[i]));
        Assert.Equal(2, opened.Tokenizer.Eos);
    }

    [Fact]
    public void ACtxSizePastTheTrainingContextRunsOnAsAModelTrainedLonger()
    {
        string shortCtx = Write("short", TrainingContext), longCtx = Write("long", 40);
        var ids = Enumerable.Range(0, 40).Select(i => 100 + 37 * i).ToArray();

        using (var capped = ModelOpener.Open(shortCtx, new ModelOpenOptions { ContextLength = 40, Tokenizer = TokenizerUse.None }))
        {
            Assert.Equal(TrainingContext, capped.Lm.ContextLength); // without asking: the file's context
            Assert.Throws<InvalidOperationException>(() => capped.Lm.Forward(ids[..17], 0, new float[capped.Lm.VocabSize]));
        }
        using var beyond = ModelOpener.Open(shortCtx, new ModelOpenOptions { ContextLength = 40, BeyondTrainingContext = true, Tokenizer = TokenizerUse.None });
        using var trained = ModelOpener.Open(longCtx, new ModelOpenOptions { Tokenizer = TokenizerUse.None });
        Assert.Equal(40, beyond.Lm.ContextLength);
        var a = new float[40 * beyond.Lm.VocabSize];
        var b = new float[40 * trained.Lm.VocabSize];
        ((DecoderEngine)beyond.Lm).ForwardAllPositions(ids, 0, a);
        ((DecoderEngine)trained.Lm).ForwardAllPositions(ids, 0, b);
        Assert.Equal(b, a); // same weights, same RoPE: positions 16..39 as if the file had declared 40
        Assert.True(a.AsSpan(39 * beyond.Lm.VocabSize).IndexOfAnyExcept(0f) >= 0);
    }

    [Fact]
    public void LearnedPositionsCannotRunPastTheirTable()
    {
        using var model = new DecoderModel(SharpLM.Models.Families.Gpt2.Gpt2Family.TinyGpt2 with { MaxPositions = 16 }, seed: 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DecoderEngine.FromModel(model, 40, beyondTrainingContext: true));
        Assert.Contains("learned position table holds (16)", e.Message);
    }
}
