// GgufVocabWriter: turns a tokenizer into GGUF tokenizer.ggml.* key/values (for any GGUF writer to emit) and
// writes a vocab-only .gguf (header and key/values, no tensors) through SharpLM.Formats' GgufWriter, which
// GgufTokenizerLoader and llama.cpp's vocab_only loading read back. The block a model file carries is
// ModelVocabulary's.
using SharpLM.Formats.Gguf;
using SharpLM.Text.Bpe;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;
using SharpLM.Text.WordPiece;

namespace SharpLM.Text.Formats;

/// <summary>GGUF tokenizer metadata writer.</summary>
public static class GgufVocabWriter
{
    /// <summary>The tokenizer.ggml.* keys describing <paramref name="tok"/>, in llama.cpp's order.</summary>
    public static List<KeyValuePair<string, GgufValue>> KeyValues(Tokenizer tok)
    {
        var kv = new List<KeyValuePair<string, GgufValue>>();
        void Add(string k, GgufValue v) => kv.Add(new(k, v));
        string[] tokens = tok.Vocab.Tokens;
        switch (tok)
        {
            case SentencePieceBpeTokenizer:
                Add(GgufKeys.TokenizerModel, "llama");
                Add(GgufKeys.TokenizerPre, "default");
                break;
            case ByteLevelBpeTokenizer b:
                Add(GgufKeys.TokenizerModel, "gpt2");
                Add(GgufKeys.TokenizerPre, PreName(b.PreTokenizer));
                break;
            case WordPieceTokenizer w:
                Add(GgufKeys.TokenizerModel, "bert");
                Add(GgufKeys.TokenizerPre, "default");
                tokens = tokens.Select((t, i) => tok.Vocab.Types[i] != TokenType.Normal ? t
                    : t.StartsWith(w.ContinuingPrefix, StringComparison.Ordinal) ? t[w.ContinuingPrefix.Length..] : SentencePieceBpeTokenizer.SpaceSymbol + t).ToArray();
                break;
            default: throw new NotSupportedException($"GGUF vocabulary keys cannot be written for {tok.Kind}.");
        }
        Add(GgufKeys.TokenizerTokens, GgufValue.Array(tokens));
        if (tok is SentencePieceBpeTokenizer) Add(GgufKeys.TokenizerScores, GgufValue.Array(tok.Vocab.Scores));
        Add(GgufKeys.TokenizerTokenType, GgufValue.Array(tok.Vocab.Types.Select(t => (int)t).ToArray()));
        if (tok is ByteLevelBpeTokenizer bpe)
            Add(GgufKeys.TokenizerMerges, GgufValue.Array(bpe.Merges.Ordered.Select(m => bpe.SymbolText(m.Left) + " " + bpe.SymbolText(m.Right)).ToArray()));
        var sp = tok.Specials;
        void Id(string key, int? id) { if (id is int i) Add(key, GgufValue.UInt32((uint)i)); }
        Id(GgufKeys.TokenizerBosId, sp.Bos); Id(GgufKeys.TokenizerEosId, sp.Eos); Id(GgufKeys.TokenizerUnknownId, sp.Unk);
        Id(GgufKeys.TokenizerPaddingId, sp.Pad); Id(GgufKeys.TokenizerSeparatorId, sp.Sep); Id(GgufKeys.TokenizerClsId, sp.Cls);
        Id(GgufKeys.TokenizerMaskId, sp.Mask);
        Add(GgufKeys.TokenizerAddBos, GgufValue.Bool(sp.AddBos));
        Add(GgufKeys.TokenizerAddEos, GgufValue.Bool(sp.AddEos));
        if (tok is SentencePieceBpeTokenizer spm) Add(GgufKeys.TokenizerAddSpacePrefix, GgufValue.Bool(spm.AddSpacePrefix));
        return kv;
    }

    /// <summary>The tokenizer.ggml.pre name whose regexes equal the pre-tokenizer's.</summary>
    public static string PreName(RegexPreTokenizer pre)
    {
        if (pre.IsPlainIsolated)
            foreach (var name in NamedPreTokenizers.Known)
                if (NamedPreTokenizers.Patterns(name) is { } p && p.SequenceEqual(pre.Patterns)) return name;
        throw new NotSupportedException($"no GGUF pre-tokenizer name matches the patterns [{string.Join(", ", pre.Patterns)}].");
    }

    /// <summary>Writes a vocab-only GGUF v3 file: general.architecture and the tokenizer keys.</summary>
    public static void WriteVocabOnly(string path, Tokenizer tok, string? architecture = null)
    {
        var kv = new List<KeyValuePair<string, GgufValue>>
        {
            new(GgufKeys.GeneralArchitecture, GgufValue.String(architecture ?? tok switch
            {
                SentencePieceBpeTokenizer => "llama", WordPieceTokenizer => "bert", _ => "gpt2",
            })),
        };
        kv.AddRange(KeyValues(tok));
        Write(path, kv);
    }

    /// <summary>Writes key/values as a GGUF v3 file with no tensors (SharpLM.Formats' GgufWriter, atomically).</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, GgufValue>> kv)
    {
        var w = new GgufWriter();
        foreach (var (k, v) in kv) w.Add(k, v);
        w.Write(path);
    }
}
