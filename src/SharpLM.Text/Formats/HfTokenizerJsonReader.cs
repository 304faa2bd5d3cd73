// HfTokenizerJsonReader: Hugging Face tokenizers' tokenizer.json (+ tokenizer_config.json beside it for the
// special tokens). Supported: model BPE with a ByteLevel pre-tokenizer (alone or after Split regexes in a
// Sequence; GPT-2, Llama 3, Qwen, DeepSeek style), model BPE in SentencePiece form (Prepend/Replace "▁"
// normalizer or Metaspace pre-tokenizer, byte_fallback; Llama 2, Mistral), and model WordPiece with
// BertNormalizer (BERT). Anything else is refused with the JSON path of what was not understood.
using System.Text.Json;
using System.Text.RegularExpressions;
using SharpLM.Text.Bpe;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;
using SharpLM.Text.WordPiece;

namespace SharpLM.Text.Formats;

/// <summary>Loads tokenizer.json files.</summary>
public static class HfTokenizerJsonReader
{
    public static Tokenizer Load(string path)
    {
        using var doc = SharpLM.Formats.JsonFile.Parse(path, "a Hugging Face tokenizer.json object", new JsonDocumentOptions { AllowTrailingCommas = true });
        string configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json");
        using var config = SharpLM.Formats.ModelPath.FileExists(configPath) ? SharpLM.Formats.JsonFile.Parse(configPath, "a tokenizer_config.json object") : null;
        return Load(doc.RootElement, config?.RootElement, path);
    }

    public static Tokenizer Load(JsonElement root, JsonElement? config, string where)
    {
        var model = Prop(root, "model") ?? throw new InvalidDataException($"{where}: no \"model\" object.");
        string type = Str(model, "type") ?? (Prop(model, "merges") != null ? "BPE" : Prop(model, "continuing_subword_prefix") != null ? "WordPiece" : "?");
        var vocabJson = Prop(model, "vocab") ?? throw new InvalidDataException($"{where}: model.vocab is missing.");
        if (type == "Unigram") return LoadUnigram(root, model, vocabJson, config, where);
        if (vocabJson.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{where}: model.vocab should be an object of token -> id for model.type \"{type}\".");

        var baseVocab = Gpt2VocabLoader.VocabFromJsonObject(vocabJson, where + " model.vocab");
        var (tokens, types, added) = MergeAdded(root, baseVocab, where);
        var specials = ReadSpecials(root, config, tokens);

        switch (type)
        {
            case "BPE":
            {
                var pre = Prop(root, "pre_tokenizer");
                bool byteLevel = HasType(pre, "ByteLevel") || HasType(Prop(root, "decoder"), "ByteLevel");
                bool byteFallback = Prop(model, "byte_fallback") is { ValueKind: JsonValueKind.True };
                if (byteFallback)
                    for (int i = 0; i < tokens.Length; i++)
                        if (types[i] == TokenType.Normal && SentencePieceBpeTokenizer.TryParseByteToken(tokens[i], out _)) types[i] = TokenType.Byte;
                var vocab = new TokenVocab(tokens, types);
                var mergesJson = Prop(model, "merges") ?? throw new InvalidDataException($"{where}: model.merges is missing.");
                if (byteLevel)
                {
                    var merges = ParseMerges(vocab, mergesJson, where);
                    bool ignoreMerges = Prop(model, "ignore_merges") is { ValueKind: JsonValueKind.True };
                    return new ByteLevelBpeTokenizer(vocab, merges, PreTokenizer(pre, where), specials, added, ignoreMerges, where, UnencodableBytes.Hf,
                        modelUnknown: UnkFrom(model, vocab), fuseUnknown: Prop(model, "fuse_unk") is { ValueKind: JsonValueKind.True })
                        { Normalizer = Normalization.HfNormalizer.From(Prop(root, "normalizer"), where) };
                }
                if (!IsMetaspace(root))
                    throw new NotSupportedException($"{where}: BPE without a ByteLevel pre_tokenizer/decoder or a \"▁\" (Metaspace) normalizer is not supported.");
                // SentencePiece form: the merge rank becomes the merged piece's score (earlier = higher).
                var scores = new float[tokens.Length];
                Array.Fill(scores, -1e9f);
                int rank = 0;
                foreach (var (l, r) in MergePairs(mergesJson, where))
                {
                    if (vocab.TryGetId(l + r, out int m) && scores[m] == -1e9f) scores[m] = -rank;
                    rank++;
                }
                var spVocab = new TokenVocab(tokens, types, scores);
                return new SentencePieceBpeTokenizer(spVocab, specials with { Unk = specials.Unk ?? UnkFrom(model, spVocab) }, added, AddsPrefix(root));
            }
            case "WordPiece":
            {
                var vocab = new TokenVocab(tokens, types);
                var norm = Prop(root, "normalizer");
                var bert = new BertPreTokenizer(
                    Lowercase: Prop(norm, "lowercase")?.ValueKind != JsonValueKind.False,
                    StripAccents: Prop(norm, "strip_accents") is { ValueKind: JsonValueKind.True or JsonValueKind.False } sa ? sa.GetBoolean() : null,
                    HandleChineseChars: Prop(norm, "handle_chinese_chars")?.ValueKind != JsonValueKind.False,
                    CleanText: Prop(norm, "clean_text")?.ValueKind != JsonValueKind.False);
                string prefix = Str(model, "continuing_subword_prefix") ?? "##";
                int maxChars = Prop(model, "max_input_chars_per_word") is { ValueKind: JsonValueKind.Number } mc ? mc.GetInt32() : 100;
                var sp = specials with
                {
                    Unk = specials.Unk ?? UnkFrom(model, vocab) ?? vocab["[UNK]"],
                    Cls = specials.Cls ?? vocab["[CLS]"], Sep = specials.Sep ?? vocab["[SEP]"],
                    Pad = specials.Pad ?? vocab["[PAD]"], Mask = specials.Mask ?? vocab["[MASK]"],
                };
                sp = sp with { Bos = sp.Bos ?? sp.Cls, Eos = sp.Eos ?? sp.Sep };
                if (sp.Unk is null) throw new InvalidDataException($"{where}: WordPiece needs model.unk_token (e.g. \"[UNK]\") present in model.vocab.");
                return new WordPieceTokenizer(vocab, sp, added, bert, prefix, maxChars);
            }
            default:
                throw new NotSupportedException($"{where}: model.type \"{type}\" is not supported (supported: BPE, WordPiece).");
        }
    }

    // Unigram: model.vocab is [[piece, score], ...]; Metaspace decides the "▁" prefix and splitting; a Precompiled
    // (nmt_nfkc) or NFKC normalizer is applied as NFKC.
    private static Tokenizer LoadUnigram(JsonElement root, JsonElement model, JsonElement vocabJson, JsonElement? config, string where)
    {
        if (vocabJson.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: model.vocab of a Unigram model should be an array of [piece, score].");
        var pieces = new List<string>(); var scores = new List<float>();
        int i = 0;
        foreach (var e in vocabJson.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.String || e[1].ValueKind != JsonValueKind.Number)
                throw new InvalidDataException($"{where}: model.vocab[{i}] should be [piece, score].");
            pieces.Add(e[0].GetString()!); scores.Add((float)e[1].GetDouble());
            i++;
        }
        var baseVocab = new TokenVocab(pieces.ToArray());
        var (tokens, types, added) = MergeAdded(root, baseVocab, where);
        var sc = new float[tokens.Length];
        scores.CopyTo(sc);
        bool byteFallback = Prop(model, "byte_fallback") is { ValueKind: JsonValueKind.True };
        for (int k = 0; k < tokens.Length; k++)
            if (byteFallback && types[k] == TokenType.Normal && SentencePieceBpeTokenizer.TryParseByteToken(tokens[k], out _)) types[k] = TokenType.Byte;
        int? unk = Prop(model, "unk_id") is { ValueKind: JsonValueKind.Number } u ? u.GetInt32() : null;
        if (unk is int uid) types[uid] = TokenType.Unknown;
        var vocab = new TokenVocab(tokens, types, sc);
        var specials = ReadSpecials(root, config, tokens);
        specials = specials with { Unk = specials.Unk ?? unk };
        if (specials.Unk is null) throw new InvalidDataException($"{where}: a Unigram model needs model.unk_id.");
        var meta = Prop(root, "pre_tokenizer") is JsonElement p ? FindType(p, "Metaspace") : null;
        bool prefix = meta is JsonElement m ? (Str(m, "prepend_scheme") is string ps ? ps != "never" : Prop(m, "add_prefix_space")?.ValueKind != JsonValueKind.False) : AddsPrefix(root);
        bool split = meta is JsonElement m2 && Prop(m2, "split")?.ValueKind != JsonValueKind.False;
        bool nfkc = HasType(Prop(root, "normalizer"), "Precompiled") || HasType(Prop(root, "normalizer"), "NFKC");
        return new SharpLM.Text.Unigram.UnigramTokenizer(vocab, specials, added, prefix, split, byteFallback, nfkc);
    }

    private static int? UnkFrom(JsonElement model, TokenVocab vocab) => Str(model, "unk_token") is string u ? vocab[u] : null;

    private static (string[] Tokens, TokenType[] Types, List<AddedToken> Added) MergeAdded(JsonElement root, TokenVocab baseVocab, string where)
    {
        var added = new List<AddedToken>();
        if (Prop(root, "added_tokens") is { ValueKind: JsonValueKind.Array } arr)
        {
            int k = 0;
            foreach (var a in arr.EnumerateArray())
            {
                int id = Prop(a, "id") is { ValueKind: JsonValueKind.Number } idv ? idv.GetInt32() : throw new InvalidDataException($"{where}: added_tokens[{k}].id is missing.");
                string content = Str(a, "content") ?? throw new InvalidDataException($"{where}: added_tokens[{k}].content is missing.");
                bool Flag(string name) => Prop(a, name) is { ValueKind: JsonValueKind.True };
                added.Add(new AddedToken(id, content, Flag("special"))
                    { LStrip = Flag("lstrip"), RStrip = Flag("rstrip"), SingleWord = Flag("single_word"), Normalized = Flag("normalized") });
                k++;
            }
        }
        // HF ignores the ids written in added_tokens (it warns when they differ): a token already in model.vocab takes
        // its id there, a new one the next id after the vocabulary and the added tokens before it.
        int nextId = baseVocab.Count;
        var assigned = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k2 = 0; k2 < added.Count; k2++)
        {
            var a = added[k2];
            int id = baseVocab.TryGetId(a.Content, out int vid) ? vid : assigned.TryGetValue(a.Content, out int prev) ? prev : nextId++;
            assigned.TryAdd(a.Content, id);
            added[k2] = a with { Id = id };
        }
        int size = Math.Max(baseVocab.Count, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        var tokens = new string[size];
        var types = new TokenType[size];
        Array.Copy(baseVocab.Tokens, tokens, baseVocab.Count);
        for (int i = 0; i < baseVocab.Count; i++) types[i] = TokenType.Normal;
        foreach (var a in added)
        {
            if (a.Id < baseVocab.Count && tokens[a.Id] != a.Content)
                throw new InvalidDataException($"{where}: added token {a.Id} \"{a.Content}\" clashes with model.vocab's \"{tokens[a.Id]}\".");
            tokens[a.Id] = a.Content;
            types[a.Id] = a.Special ? TokenType.Control : TokenType.UserDefined;
        }
        for (int i = 0; i < size; i++)
            if (tokens[i] == null) throw new InvalidDataException($"{where}: no token has id {i} (neither model.vocab nor added_tokens).");
        return (tokens, types, added);
    }

    private static SpecialTokens ReadSpecials(JsonElement root, JsonElement? config, string[] tokens)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) ids.TryAdd(tokens[i], i);
        int? Id(string? t) => t != null && ids.TryGetValue(t, out int i) ? i : null;
        string? Cfg(string key) => config is JsonElement c && Prop(c, key) is JsonElement v
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : Str(v, "content") : null;
        bool? CfgBool(string key) => config is JsonElement c && Prop(c, key) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

        // TemplateProcessing: special tokens before / after the sequence "A" mean BOS / EOS.
        int? tBos = null, tEos = null;
        if (Prop(root, "post_processor") is JsonElement pp && Str(pp, "type") == "TemplateProcessing" && Prop(pp, "single") is { ValueKind: JsonValueKind.Array } single)
        {
            bool seenSeq = false;
            foreach (var item in single.EnumerateArray())
            {
                if (Prop(item, "Sequence") != null) { seenSeq = true; continue; }
                if (Prop(item, "SpecialToken") is JsonElement st && Id(Str(st, "id")) is int sid)
                    if (seenSeq) tEos = sid; else tBos = sid;
            }
        }
        return new SpecialTokens
        {
            Bos = Id(Cfg("bos_token")) ?? tBos, Eos = Id(Cfg("eos_token")) ?? tEos,
            Unk = Id(Cfg("unk_token")), Pad = Id(Cfg("pad_token")),
            Cls = Id(Cfg("cls_token")), Sep = Id(Cfg("sep_token")), Mask = Id(Cfg("mask_token")),
            AddBos = CfgBool("add_bos_token") ?? tBos != null, AddEos = CfgBool("add_eos_token") ?? tEos != null,
        };
    }

    // The pre_tokenizer of a byte-level BPE model as regex split stages (HF semantics: behavior, invert), and
    // whether its final ByteLevel adds a prefix space. Whitespace, WhitespaceSplit, Punctuation, Digits,
    // CharDelimiterSplit and BertPreTokenizer are splits too, written as the regexes HF's Rust code amounts to.
    private static RegexPreTokenizer PreTokenizer(JsonElement? pre, string where)
    {
        var list = new List<SplitStage>();
        bool prefixSpace = false;
        string? last = null;
        void Visit(JsonElement p, string path)
        {
            if (prefixSpace) throw new NotSupportedException($"{where}: {path} comes after a ByteLevel with add_prefix_space = true; only a last ByteLevel may add the prefix space.");
            string? type = Str(p, "type");
            last = path;
            switch (type)
            {
                case "Sequence":
                    int i = 0;
                    foreach (var c in Prop(p, "pretokenizers")?.EnumerateArray() ?? default) Visit(c, $"{path}.pretokenizers[{i++}]");
                    break;
                case "Split":
                    var pat = Prop(p, "pattern") ?? throw new InvalidDataException($"{where}: {path}.pattern is missing.");
                    string behaviorName = Str(p, "behavior") ?? "Isolated";
                    var behavior = SplitStage.ParseBehavior(behaviorName) ?? throw new InvalidDataException(
                        $"{where}: {path}.behavior is \"{behaviorName}\"; expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous.");
                    string regex = Str(pat, "Regex") ?? Regex.Escape(Str(pat, "String") ?? throw new InvalidDataException($"{where}: {path}.pattern needs Regex or String."));
                    list.Add(new SplitStage(regex, behavior, Prop(p, "invert") is { ValueKind: JsonValueKind.True }));
                    break;
                case "ByteLevel":
                    if (Prop(p, "add_prefix_space") is { ValueKind: JsonValueKind.True }) prefixSpace = true;
                    if (Prop(p, "use_regex")?.ValueKind != JsonValueKind.False) list.Add(PreTokenizerPatterns.Gpt2);
                    else if (prefixSpace) list.Add(new SplitStage(@"(?!)")); // prefix only, no split
                    break;
                case "Digits":
                    list.Add(Prop(p, "individual_digits") is { ValueKind: JsonValueKind.True } ? @"\p{N}" : @"\p{N}+");
                    break;
                case "Whitespace":
                    list.Add(new SplitStage(HfWord + "+|[^" + HfWordChars + @"\s]+", SplitBehavior.Removed, Invert: true));
                    break;
                case "WhitespaceSplit":
                    list.Add(new SplitStage(@"\s", SplitBehavior.Removed));
                    break;
                case "Punctuation":
                    string pb = Str(p, "behavior") ?? "Isolated";
                    list.Add(new SplitStage(HfPunct, SplitStage.ParseBehavior(pb) ?? throw new InvalidDataException($"{where}: {path}.behavior is \"{pb}\".")));
                    break;
                case "CharDelimiterSplit":
                    string d = Str(p, "delimiter") ?? throw new InvalidDataException($"{where}: {path}.delimiter is missing.");
                    list.Add(new SplitStage(Regex.Escape(d), SplitBehavior.Removed));
                    break;
                case "BertPreTokenizer":
                    list.Add(new SplitStage(@"\s", SplitBehavior.Removed));
                    list.Add(new SplitStage(HfPunct));
                    break;
                case var t:
                    throw new NotSupportedException($"{where}: {path}.type \"{t}\" is not supported with byte-level BPE (supported: Sequence, Split, ByteLevel, Digits, Whitespace, WhitespaceSplit, Punctuation, CharDelimiterSplit, BertPreTokenizer).");
            }
        }
        if (pre is JsonElement pe && pe.ValueKind == JsonValueKind.Object) Visit(pe, "pre_tokenizer");
        return new RegexPreTokenizer(list, prefixSpace);
    }

    // Rust's char::is_alphanumeric-based \w of the regex crate: Alphabetic, marks, decimal digits, connector punctuation, joiners.
    private const string HfWordChars = @"\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\u200C\u200D";
    private const string HfWord = "[" + HfWordChars + "]";
    // HF is_punc: ASCII punctuation (which includes $+<=>^`|~) or a Unicode punctuation category.
    private const string HfPunct = @"[\p{P}!-/:-@\[-`{-~]";

    private static bool IsMetaspace(JsonElement root)
    {
        string text = root.GetRawText();
        return HasType(Prop(root, "pre_tokenizer"), "Metaspace") || text.Contains("\"▁\"", StringComparison.Ordinal) || text.Contains("\"\\u2581\"", StringComparison.Ordinal);
    }

    private static bool AddsPrefix(JsonElement root)
    {
        if (Prop(root, "normalizer") is JsonElement n && (HasType(n, "Prepend"))) return true;
        if (Prop(root, "pre_tokenizer") is JsonElement p && FindType(p, "Metaspace") is JsonElement m)
            return Str(m, "prepend_scheme") is string s ? s != "never" : Prop(m, "add_prefix_space")?.ValueKind != JsonValueKind.False;
        return false;
    }

    private static BpeMerges ParseMerges(TokenVocab vocab, JsonElement merges, string where)
    {
        var table = new BpeMerges(vocab.Count);
        int rank = 0;
        foreach (var (l, r) in MergePairs(merges, where))
        {
            Gpt2VocabLoader.AddMerge(vocab, table, l, r, rank, where + " model.merges", rank);
            rank++;
        }
        return table;
    }

    private static IEnumerable<(string, string)> MergePairs(JsonElement merges, string where)
    {
        int i = 0;
        foreach (var m in merges.EnumerateArray())
        {
            if (m.ValueKind == JsonValueKind.String)
            {
                string s = m.GetString()!;
                int sp = s.IndexOf(' ', 1);
                if (sp < 0) throw new InvalidDataException($"{where}: model.merges[{i}] \"{s}\" is not two tokens separated by a space.");
                yield return (s[..sp], s[(sp + 1)..]);
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2)
                yield return (m[0].GetString()!, m[1].GetString()!);
            else throw new InvalidDataException($"{where}: model.merges[{i}] should be \"a b\" or [\"a\", \"b\"].");
            i++;
        }
    }

    private static bool HasType(JsonElement? e, string type) => e is JsonElement x && FindType(x, type) != null;

    private static JsonElement? FindType(JsonElement e, string type)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        if (Str(e, "type") == type) return e;
        foreach (var key in new[] { "pretokenizers", "normalizers", "decoders" })
            if (Prop(e, key) is { ValueKind: JsonValueKind.Array } arr)
                foreach (var c in arr.EnumerateArray())
                    if (FindType(c, type) is JsonElement f) return f;
        return null;
    }

    internal static JsonElement? Prop(JsonElement? e, string name) =>
        e is JsonElement x && x.ValueKind == JsonValueKind.Object && x.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    internal static string? Str(JsonElement? e, string name) => Prop(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}
