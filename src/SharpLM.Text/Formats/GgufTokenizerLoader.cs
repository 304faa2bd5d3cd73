// GgufTokenizerLoader: builds a Tokenizer from the tokenizer.ggml.* keys of a GGUF file, following llama.cpp's
// llama_vocab::load: model "llama" = SentencePiece BPE (tokens, scores, token_type), "gpt2" = byte-level BPE
// (tokens, merges, pre-tokenizer named by tokenizer.ggml.pre), "bert" = WordPiece (tokens in "phantom space"
// form: a word-initial piece starts with "▁", a continuation piece has no prefix). The file is read by
// SharpLM.Formats' GgufFile (strict UTF-8); its ModelFormatException surfaces as InvalidDataException, like
// every other malformed tokenizer file.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Text.Bpe;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;
using SharpLM.Text.WordPiece;

namespace SharpLM.Text.Formats;

/// <summary>Loads tokenizers from GGUF metadata.</summary>
public static class GgufTokenizerLoader
{
    public static Tokenizer Load(string path) => Load(ReadMetadata(path));

    /// <summary>The metadata of a GGUF file, strings checked to be valid UTF-8.</summary>
    public static GgufMetadata ReadMetadata(string path) => Wrap(() => GgufMetadata.Read(path, strictUtf8: true));

    public static Tokenizer Load(GgufMetadata md) => Wrap(() => LoadCore(md));

    private static T Wrap<T>(Func<T> f)
    {
        try { return f(); }
        catch (ModelFormatException e) { throw new InvalidDataException(e.Message, e); }
    }

    private static Tokenizer LoadCore(GgufMetadata md)
    {
        string model = md.RequireString(GgufKeys.TokenizerModel);
        var tokens = md.GetStringArray(GgufKeys.TokenizerTokens) ?? throw md.Missing(GgufKeys.TokenizerTokens, "array of strings");
        var typesRaw = md.GetInt32Array(GgufKeys.TokenizerTokenType);
        var scores = md.GetFloatArray(GgufKeys.TokenizerScores);
        CheckLength(md, GgufKeys.TokenizerTokenType, typesRaw?.Length, tokens.Length);
        CheckLength(md, GgufKeys.TokenizerScores, scores?.Length, tokens.Length);
        var types = typesRaw?.Select(t => (TokenType)t).ToArray() ?? Enumerable.Repeat(TokenType.Normal, tokens.Length).ToArray();

        return model switch
        {
            "llama" => LoadSpm(md, tokens, types, scores),
            "gpt2" => LoadBpe(md, tokens, types),
            "bert" => LoadBert(md, tokens, types),
            _ => throw new InvalidDataException(
                $"{md.Source}: GGUF key '{GgufKeys.TokenizerModel}' is \"{model}\"; expected one of \"llama\" (SentencePiece BPE), \"gpt2\" (byte-level BPE), \"bert\" (WordPiece)."),
        };
    }

    private static void CheckLength(GgufMetadata md, string key, int? len, int expected)
    {
        if (len is int l && l != expected)
            throw new InvalidDataException($"{md.Source}: GGUF key '{key}' has {l} entries; expected {expected} (one per token).");
    }

    private static SpecialTokens Specials(GgufMetadata md, int count, int? bos, int? eos, int? unk, bool addBos, bool addEos)
    {
        // Absent: the vocabulary type's default; present: that id, or none (u32 4294967295, -1, out of range).
        int? Id(string key, int? fallback) => md.TryGetTokenId(key, count, out int? id) ? id : fallback;
        return new SpecialTokens
        {
            Bos = Id(GgufKeys.TokenizerBosId, bos), Eos = Id(GgufKeys.TokenizerEosId, eos), Unk = Id(GgufKeys.TokenizerUnknownId, unk),
            Pad = Id(GgufKeys.TokenizerPaddingId, null), Sep = Id(GgufKeys.TokenizerSeparatorId, null), Cls = Id(GgufKeys.TokenizerClsId, null),
            Mask = Id(GgufKeys.TokenizerMaskId, null),
            AddBos = md.GetBool(GgufKeys.TokenizerAddBos) ?? addBos, AddEos = md.GetBool(GgufKeys.TokenizerAddEos) ?? addEos,
        };
    }

    /// <summary>Control / unknown tokens are special added tokens; user-defined ones are always matched.</summary>
    internal static List<AddedToken> AddedFromTypes(string[] tokens, TokenType[] types) =>
        Enumerable.Range(0, tokens.Length)
            .Where(i => types[i] is TokenType.Control or TokenType.UserDefined or TokenType.Unknown)
            .Select(i => new AddedToken(i, tokens[i], types[i] != TokenType.UserDefined))
            .ToList();

    /// <summary>Added tokens with llama.cpp's per-model attributes (llama_vocab::load, "set attributes by model/tokenizer
    /// name"): a jina-v2-de/es/code pre-tokenizer gives "&lt;mask&gt;" LSTRIP; a general.name containing "phi-3"/"phi3"
    /// gives every control/user-defined/unknown token (and "&lt;/s&gt;") RSTRIP, except "&lt;unk&gt;", "&lt;s&gt;" and
    /// "&lt;|endoftext|&gt;". A named token that is missing makes llama.cpp refuse the file; so do we.</summary>
    internal static List<AddedToken> AddedAsLlamaCpp(GgufMetadata md, string[] tokens, TokenType[] types)
    {
        var added = AddedFromTypes(tokens, types);
        string pre = md.GetString(GgufKeys.TokenizerPre) ?? "";
        string name = (md.GetString("general.name") ?? "").ToLowerInvariant();
        int Require(string t, string why) => Array.IndexOf(tokens, t) is int i and >= 0 ? i
            : throw new InvalidDataException($"{md.Source}: {why}, but the vocabulary has no \"{t}\" token (llama.cpp refuses such a file).");
        if (new[] { "jina-v2-de", "jina-v2-es", "jina-v2-code" }.Any(pre.Contains))
        {
            int mask = Require("<mask>", $"'{GgufKeys.TokenizerPre}' \"{pre}\" gives <mask> lstrip");
            int k = added.FindIndex(a => a.Id == mask);
            if (k >= 0) added[k] = added[k] with { LStrip = true };
        }
        else if (name.Contains("phi-3") || name.Contains("phi3"))
        {
            string why = $"general.name \"{md.GetString("general.name")}\" selects llama.cpp's Phi-3 rstrip rule";
            Require("</s>", why);
            var keep = new[] { "<unk>", "<s>", "<|endoftext|>" }.Select(t => Require(t, why)).ToHashSet();
            for (int k = 0; k < added.Count; k++) added[k] = added[k] with { RStrip = !keep.Contains(added[k].Id) };
        }
        return added;
    }

    private static Tokenizer LoadSpm(GgufMetadata md, string[] tokens, TokenType[] types, float[]? scores)
    {
        if (scores is null) throw md.Missing(GgufKeys.TokenizerScores, "array of float32, needed by a \"llama\" vocabulary");
        var vocab = new TokenVocab(tokens, types, scores);
        var sp = Specials(md, tokens.Length, 1, 2, 0, addBos: true, addEos: false);
        return new SentencePieceBpeTokenizer(vocab, sp, AddedAsLlamaCpp(md, tokens, types), md.GetBool(GgufKeys.TokenizerAddSpacePrefix) ?? true)
            { AsciiStripWhitespace = true };
    }

    private static Tokenizer LoadBpe(GgufMetadata md, string[] tokens, TokenType[] types)
    {
        var mergeLines = md.GetStringArray(GgufKeys.TokenizerMerges) ?? throw md.Missing(GgufKeys.TokenizerMerges, "array of strings, needed by a \"gpt2\" vocabulary");
        var vocab = new TokenVocab(tokens, types);
        var extra = new List<string>();
        var merges = Gpt2VocabLoader.ParseMergesAsLlamaCpp(vocab, mergeLines, md.Source + " key " + GgufKeys.TokenizerMerges, extra);
        // No key: llama.cpp's "default" list (not GPT-2's); an unknown name is refused, as llama.cpp does.
        string? pre = md.GetString(GgufKeys.TokenizerPre);
        var stages = NamedPreTokenizers.Stages(pre) ?? throw new InvalidDataException(
            $"{md.Source}: GGUF key '{GgufKeys.TokenizerPre}' is \"{pre}\", a pre-tokenizer llama.cpp does not know; known: {string.Join(", ", NamedPreTokenizers.Known)}.");
        var sp = Specials(md, tokens.Length, null, null, null, addBos: false, addEos: false);
        return new ByteLevelBpeTokenizer(vocab, merges, new RegexPreTokenizer(stages), sp, AddedAsLlamaCpp(md, tokens, types),
            NamedPreTokenizers.IgnoresMerges(pre), md.Source, UnencodableBytes.LlamaCpp, extra) { AsciiStripWhitespace = true };
    }

    private static Tokenizer LoadBert(GgufMetadata md, string[] tokens, TokenType[] types)
    {
        var pieces = new string[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            string t = tokens[i];
            pieces[i] = types[i] != TokenType.Normal ? t
                : t.Length > 0 && t[0] == SentencePieceBpeTokenizer.SpaceSymbol ? t[1..] : "##" + t;
        }
        var vocab = new TokenVocab(pieces, types);
        var sp = Specials(md, tokens.Length, null, null, vocab["[UNK]"], addBos: true, addEos: true);
        sp = sp with { Bos = sp.Bos ?? sp.Cls, Eos = sp.Eos ?? sp.Sep };
        // llama.cpp's WPM: its own normalization (not HF's) and no per-word length limit.
        return new WordPieceTokenizer(vocab, sp, AddedAsLlamaCpp(md, pieces, types), new BertPreTokenizer(LlamaCpp: true), maxInputCharsPerWord: int.MaxValue)
            { AsciiStripWhitespace = true };
    }
}
