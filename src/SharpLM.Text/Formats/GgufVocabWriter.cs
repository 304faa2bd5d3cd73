// GgufVocabWriter: turns a tokenizer into GGUF tokenizer.ggml.* key/values (for any GGUF writer to emit) and
// writes a vocab-only .gguf (header, key/values, no tensors, padded to the 32-byte alignment) that
// GgufVocabReader and llama.cpp's vocab_only loading read back. Written to a temporary file, then renamed.
using System.Text;
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
            case SentencePieceBpeTokenizer s:
                Add(GgufKeys.Model, new(GgufType.String, "llama"));
                Add(GgufKeys.Pre, new(GgufType.String, "default"));
                break;
            case ByteLevelBpeTokenizer b:
                Add(GgufKeys.Model, new(GgufType.String, "gpt2"));
                Add(GgufKeys.Pre, new(GgufType.String, PreName(b.PreTokenizer)));
                break;
            case WordPieceTokenizer w:
                Add(GgufKeys.Model, new(GgufType.String, "bert"));
                Add(GgufKeys.Pre, new(GgufType.String, "default"));
                tokens = tokens.Select((t, i) => tok.Vocab.Types[i] != TokenType.Normal ? t
                    : t.StartsWith(w.ContinuingPrefix, StringComparison.Ordinal) ? t[w.ContinuingPrefix.Length..] : SentencePieceBpeTokenizer.SpaceSymbol + t).ToArray();
                break;
            default: throw new NotSupportedException($"GGUF vocabulary keys cannot be written for {tok.Kind}.");
        }
        Add(GgufKeys.Tokens, new(GgufType.Array, tokens, GgufType.String));
        if (tok is SentencePieceBpeTokenizer) Add(GgufKeys.Scores, new(GgufType.Array, tok.Vocab.Scores, GgufType.Float32));
        Add(GgufKeys.TokenType, new(GgufType.Array, tok.Vocab.Types.Select(t => (int)t).ToArray(), GgufType.Int32));
        if (tok is ByteLevelBpeTokenizer bpe)
            Add(GgufKeys.Merges, new(GgufType.Array, bpe.Merges.Ordered.Select(m => tokens[m.Left] + " " + tokens[m.Right]).ToArray(), GgufType.String));
        var sp = tok.Specials;
        void Id(string key, int? id) { if (id is int i) Add(key, new(GgufType.UInt32, (uint)i)); }
        Id(GgufKeys.BosId, sp.Bos); Id(GgufKeys.EosId, sp.Eos); Id(GgufKeys.UnkId, sp.Unk); Id(GgufKeys.PadId, sp.Pad);
        Id(GgufKeys.SepId, sp.Sep); Id(GgufKeys.ClsId, sp.Cls); Id(GgufKeys.MaskId, sp.Mask);
        Add(GgufKeys.AddBos, new(GgufType.Bool, sp.AddBos));
        Add(GgufKeys.AddEos, new(GgufType.Bool, sp.AddEos));
        if (tok is SentencePieceBpeTokenizer spm) Add(GgufKeys.AddSpacePrefix, new(GgufType.Bool, spm.AddSpacePrefix));
        return kv;
    }

    /// <summary>The tokenizer.ggml.pre name whose regexes equal the pre-tokenizer's.</summary>
    public static string PreName(RegexPreTokenizer pre)
    {
        foreach (var name in NamedPreTokenizers.Known)
            if (NamedPreTokenizers.Patterns(name) is { } p && p.SequenceEqual(pre.Patterns)) return name;
        throw new NotSupportedException($"no GGUF pre-tokenizer name matches the patterns [{string.Join(", ", pre.Patterns)}].");
    }

    /// <summary>Writes a vocab-only GGUF v3 file: general.architecture and the tokenizer keys.</summary>
    public static void WriteVocabOnly(string path, Tokenizer tok, string? architecture = null)
    {
        var kv = new List<KeyValuePair<string, GgufValue>>
        {
            new("general.architecture", new(GgufType.String, architecture ?? tok switch
            {
                SentencePieceBpeTokenizer => "llama", WordPieceTokenizer => "bert", _ => "gpt2",
            })),
        };
        kv.AddRange(KeyValues(tok));
        Write(path, kv);
    }

    /// <summary>Writes key/values as a GGUF v3 file with no tensors.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, GgufValue>> kv)
    {
        string tmp = path + ".tmp";
        using (var fs = File.Create(tmp))
        using (var w = new BinaryWriter(fs, Encoding.UTF8))
        {
            w.Write(0x46554747u); // "GGUF"
            w.Write(3u);
            w.Write(0UL);
            w.Write((ulong)kv.Count);
            foreach (var (k, v) in kv)
            {
                WriteString(w, k);
                w.Write((uint)v.Type);
                WriteValue(w, v);
            }
            while (fs.Position % 32 != 0) w.Write((byte)0);
        }
        File.Move(tmp, path, overwrite: true);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }

    private static void WriteValue(BinaryWriter w, GgufValue v)
    {
        switch (v.Type)
        {
            case GgufType.Array:
                var arr = (Array)v.Value;
                w.Write((uint)v.ElementType);
                w.Write((ulong)arr.Length);
                foreach (var e in arr) WriteScalar(w, v.ElementType, e!);
                break;
            default: WriteScalar(w, v.Type, v.Value); break;
        }
    }

    private static void WriteScalar(BinaryWriter w, GgufType t, object o)
    {
        switch (t)
        {
            case GgufType.UInt8: w.Write(Convert.ToByte(o)); break;
            case GgufType.Int8: w.Write(Convert.ToSByte(o)); break;
            case GgufType.UInt16: w.Write(Convert.ToUInt16(o)); break;
            case GgufType.Int16: w.Write(Convert.ToInt16(o)); break;
            case GgufType.UInt32: w.Write(Convert.ToUInt32(o)); break;
            case GgufType.Int32: w.Write(Convert.ToInt32(o)); break;
            case GgufType.Float32: w.Write(Convert.ToSingle(o)); break;
            case GgufType.Bool: w.Write((byte)((bool)o ? 1 : 0)); break;
            case GgufType.String: WriteString(w, (string)o); break;
            case GgufType.UInt64: w.Write(Convert.ToUInt64(o)); break;
            case GgufType.Int64: w.Write(Convert.ToInt64(o)); break;
            case GgufType.Float64: w.Write(Convert.ToDouble(o)); break;
            case GgufType.Array: WriteValue(w, (GgufValue)o); break;
            default: throw new ArgumentException($"GGUF type {t} cannot be written.");
        }
    }
}
