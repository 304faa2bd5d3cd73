// HfTokenizerJsonWriter: writes a tokenizer as a Hugging Face tokenizer.json that HfTokenizerJsonReader and
// HF tokenizers itself load: byte-level BPE (Split regexes + ByteLevel, or ByteLevel with its GPT-2 regex),
// SentencePiece BPE (Prepend/Replace "▁" normalizer, byte_fallback, the ByteFallback/Fuse/Strip decoder) and
// WordPiece (BertNormalizer, BertPreTokenizer) and Unigram (Metaspace, NFKC when the model normalizes). Written to a temporary file, then renamed into place.
using System.Text.Encodings.Web;
using System.Text.Json;
using SharpLM.Text.Bpe;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;
using SharpLM.Text.WordPiece;

namespace SharpLM.Text.Formats;

/// <summary>Writes tokenizer.json files.</summary>
public static class HfTokenizerJsonWriter
{
    public static void Write(Tokenizer tok, string path)
    {
        string tmp = path + ".tmp";
        using (var fs = File.Create(tmp))
        using (var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(tok, w);
        File.Move(tmp, path, overwrite: true);
    }

    public static void Write(Tokenizer tok, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        foreach (var a in tok.AddedTokens.OrderBy(a => a.Id))
        {
            w.WriteStartObject();
            w.WriteNumber("id", a.Id);
            w.WriteString("content", a.Content);
            w.WriteBoolean("single_word", false); w.WriteBoolean("lstrip", false); w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", a.Special);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        switch (tok)
        {
            case ByteLevelBpeTokenizer b: WriteByteLevel(b, w); break;
            case SentencePieceBpeTokenizer s: WriteSentencePiece(s, w); break;
            case WordPieceTokenizer p: WriteWordPiece(p, w); break;
            case SharpLM.Text.Unigram.UnigramTokenizer u: WriteUnigram(u, w); break;
            default: throw new NotSupportedException($"tokenizer.json cannot be written for {tok.Kind}.");
        }
        w.WriteEndObject();
    }

    private static void WriteByteLevel(ByteLevelBpeTokenizer b, Utf8JsonWriter w)
    {
        w.WriteNull("normalizer");
        var patterns = b.PreTokenizer.Patterns;
        w.WritePropertyName("pre_tokenizer");
        if (patterns.Count == 1 && patterns[0] == PreTokenizerPatterns.Gpt2) ByteLevel(w, useRegex: true);
        else
        {
            w.WriteStartObject();
            w.WriteString("type", "Sequence");
            w.WriteStartArray("pretokenizers");
            foreach (var p in patterns)
            {
                w.WriteStartObject();
                w.WriteString("type", "Split");
                w.WriteStartObject("pattern"); w.WriteString("Regex", p); w.WriteEndObject();
                w.WriteString("behavior", "Isolated");
                w.WriteBoolean("invert", false);
                w.WriteEndObject();
            }
            ByteLevel(w, useRegex: false);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteNull("post_processor");
        w.WritePropertyName("decoder");
        ByteLevel(w, useRegex: true);
        Model(w, b.Vocab, b.Merges, byteFallback: false, unk: null, b.IgnoreMerges);
    }

    private static void ByteLevel(Utf8JsonWriter w, bool useRegex)
    {
        w.WriteStartObject();
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("trim_offsets", true);
        w.WriteBoolean("use_regex", useRegex);
        w.WriteEndObject();
    }

    private static void WriteSentencePiece(SentencePieceBpeTokenizer s, Utf8JsonWriter w)
    {
        w.WriteStartObject("normalizer");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("normalizers");
        if (s.AddSpacePrefix) { w.WriteStartObject(); w.WriteString("type", "Prepend"); w.WriteString("prepend", "▁"); w.WriteEndObject(); }
        w.WriteStartObject(); w.WriteString("type", "Replace");
        w.WriteStartObject("pattern"); w.WriteString("String", " "); w.WriteEndObject();
        w.WriteString("content", "▁"); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("pre_tokenizer");
        w.WriteNull("post_processor");
        w.WriteStartObject("decoder");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("decoders");
        w.WriteStartObject(); w.WriteString("type", "Replace");
        w.WriteStartObject("pattern"); w.WriteString("String", "▁"); w.WriteEndObject();
        w.WriteString("content", " "); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("type", "ByteFallback"); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("type", "Fuse"); w.WriteEndObject();
        if (s.AddSpacePrefix)
        {
            w.WriteStartObject(); w.WriteString("type", "Strip"); w.WriteString("content", " ");
            w.WriteNumber("start", 1); w.WriteNumber("stop", 0); w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        Model(w, s.Vocab, s.Merges, byteFallback: s.HasByteFallback, unk: s.Specials.Unk is int u ? s.Vocab.Tokens[u] : null, false);
    }

    private static void Model(Utf8JsonWriter w, TokenVocab vocab, BpeMerges merges, bool byteFallback, string? unk, bool ignoreMerges)
    {
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        if (unk is null) w.WriteNull("unk_token"); else w.WriteString("unk_token", unk);
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", byteFallback);
        w.WriteBoolean("byte_fallback", byteFallback);
        w.WriteBoolean("ignore_merges", ignoreMerges);
        WriteVocab(w, vocab);
        w.WriteStartArray("merges");
        foreach (var m in merges.Ordered)
        {
            w.WriteStartArray();
            w.WriteStringValue(vocab.Tokens[m.Left]);
            w.WriteStringValue(vocab.Tokens[m.Right]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteVocab(Utf8JsonWriter w, TokenVocab vocab)
    {
        w.WriteStartObject("vocab");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < vocab.Count; i++)
            if (seen.Add(vocab.Tokens[i])) w.WriteNumber(vocab.Tokens[i], i);
        w.WriteEndObject();
    }

    private static void WriteUnigram(SharpLM.Text.Unigram.UnigramTokenizer u, Utf8JsonWriter w)
    {
        if (u.Nfkc) { w.WriteStartObject("normalizer"); w.WriteString("type", "NFKC"); w.WriteEndObject(); }
        else w.WriteNull("normalizer");
        foreach (var name in new[] { "pre_tokenizer", "decoder" })
        {
            if (name == "decoder") w.WriteNull("post_processor");
            w.WriteStartObject(name);
            w.WriteString("type", "Metaspace");
            w.WriteString("replacement", "▁");
            w.WriteString("prepend_scheme", u.AddSpacePrefix ? "always" : "never");
            w.WriteBoolean("split", u.SplitOnSpace);
            w.WriteEndObject();
        }
        w.WriteStartObject("model");
        w.WriteString("type", "Unigram");
        w.WriteNumber("unk_id", u.Specials.Unk!.Value);
        w.WriteStartArray("vocab");
        for (int i = 0; i < u.Vocab.Count; i++)
        {
            w.WriteStartArray();
            w.WriteStringValue(u.Vocab.Tokens[i]);
            w.WriteNumberValue(u.Vocab.Scores[i]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteBoolean("byte_fallback", u.ByteFallback);
        w.WriteEndObject();
    }

    private static void WriteWordPiece(WordPieceTokenizer p, Utf8JsonWriter w)
    {
        var b = p.PreTokenizer;
        w.WriteStartObject("normalizer");
        w.WriteString("type", "BertNormalizer");
        w.WriteBoolean("clean_text", b.CleanText);
        w.WriteBoolean("handle_chinese_chars", b.HandleChineseChars);
        if (b.StripAccents is bool sa) w.WriteBoolean("strip_accents", sa); else w.WriteNull("strip_accents");
        w.WriteBoolean("lowercase", b.Lowercase);
        w.WriteEndObject();
        w.WriteStartObject("pre_tokenizer"); w.WriteString("type", "BertPreTokenizer"); w.WriteEndObject();
        w.WriteNull("post_processor");
        w.WriteStartObject("decoder"); w.WriteString("type", "WordPiece"); w.WriteString("prefix", p.ContinuingPrefix); w.WriteBoolean("cleanup", true); w.WriteEndObject();
        w.WriteStartObject("model");
        w.WriteString("type", "WordPiece");
        w.WriteString("unk_token", p.Vocab.Tokens[p.Specials.Unk!.Value]);
        w.WriteString("continuing_subword_prefix", p.ContinuingPrefix);
        w.WriteNumber("max_input_chars_per_word", p.MaxInputCharsPerWord);
        WriteVocab(w, p.Vocab);
        w.WriteEndObject();
    }
}
