// SentencePieceModelReader: reads a SentencePiece .model file (protobuf ModelProto, sentencepiece_model.proto):
// pieces (1: piece, score, type), trainer_spec (2: model_type, byte_fallback, unk/bos/eos/pad ids) and
// normalizer_spec (3: name, add_dummy_prefix, remove_extra_whitespaces). BPE and unigram models become tokenizers.
using System.Text;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Formats;

/// <summary>The parts of a SentencePiece ModelProto a tokenizer needs.</summary>
public sealed record SentencePieceModel(
    string[] Pieces, float[] Scores, TokenType[] Types, int ModelType, bool ByteFallback,
    int UnkId, int BosId, int EosId, int PadId, string NormalizerName, bool AddDummyPrefix, bool RemoveExtraWhitespaces)
{
    public const int Unigram = 1, Bpe = 2, Word = 3, Char = 4;
}

/// <summary>Reads SentencePiece .model files.</summary>
public static class SentencePieceModelReader
{
    private static readonly UTF8Encoding Utf8 = new(false, true);

    public static SentencePieceModel Read(string path) => Read(File.ReadAllBytes(path), path);

    public static SentencePieceModel Read(byte[] data, string where)
    {
        var pieces = new List<string>(); var scores = new List<float>(); var types = new List<TokenType>();
        int modelType = SentencePieceModel.Unigram, unk = 0, bos = 1, eos = 2, pad = -1;
        bool byteFallback = false, dummy = true, removeWs = true;
        string normName = "";
        var r = new ProtobufReader(data, where);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2)
            {
                var p = new ProtobufReader(r.ReadBytes(), $"{where} (piece #{pieces.Count})");
                string piece = ""; float score = 0; int type = 1;
                while (!p.End)
                {
                    var (f, w) = p.ReadTag();
                    if (f == 1 && w == 2) piece = Str(p.ReadBytes(), where, $"piece #{pieces.Count}");
                    else if (f == 2 && w == 5) score = p.ReadFloat();
                    else if (f == 3 && w == 0) type = (int)p.ReadVarint();
                    else p.Skip(w);
                }
                if (type < 1 || type > 6) throw new InvalidDataException($"{where}: piece #{pieces.Count} \"{piece}\" has type {type}; expected 1..6.");
                pieces.Add(piece); scores.Add(score); types.Add((TokenType)type);
            }
            else if (field == 2 && wire == 2)
            {
                var t = new ProtobufReader(r.ReadBytes(), $"{where} (trainer_spec)");
                while (!t.End)
                {
                    var (f, w) = t.ReadTag();
                    if (w != 0) { t.Skip(w); continue; }
                    long v = (long)t.ReadVarint();
                    switch (f)
                    {
                        case 3: modelType = (int)v; break;
                        case 35: byteFallback = v != 0; break;
                        case 40: unk = (int)v; break;
                        case 41: bos = (int)v; break;
                        case 42: eos = (int)v; break;
                        case 43: pad = (int)v; break;
                    }
                }
            }
            else if (field == 3 && wire == 2)
            {
                var n = new ProtobufReader(r.ReadBytes(), $"{where} (normalizer_spec)");
                while (!n.End)
                {
                    var (f, w) = n.ReadTag();
                    if (f == 1 && w == 2) normName = Str(n.ReadBytes(), where, "normalizer_spec.name");
                    else if (f == 3 && w == 0) dummy = n.ReadVarint() != 0;
                    else if (f == 4 && w == 0) removeWs = n.ReadVarint() != 0;
                    else n.Skip(w);
                }
            }
            else r.Skip(wire);
        }
        if (pieces.Count == 0) throw new InvalidDataException($"{where}: no pieces (field 1 of ModelProto); is this a SentencePiece model?");
        return new SentencePieceModel(pieces.ToArray(), scores.ToArray(), types.ToArray(), modelType, byteFallback,
            unk, bos, eos, pad, normName, dummy, removeWs);
    }

    private static string Str(ReadOnlySpan<byte> b, string where, string what)
    {
        try { return Utf8.GetString(b); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"{where}: {what} is not valid UTF-8."); }
    }

    /// <summary>Loads a BPE or unigram .model as a tokenizer.</summary>
    public static Tokenizer LoadTokenizer(string path)
    {
        var m = Read(path);
        if (m.ModelType == SentencePieceModel.Unigram)
        {
            int? Id(int i) => i >= 0 && i < m.Pieces.Length ? i : null;
            var sp = new SpecialTokens { Unk = Id(m.UnkId), Bos = Id(m.BosId), Eos = Id(m.EosId), Pad = Id(m.PadId), AddEos = true };
            return new SharpLM.Text.Unigram.UnigramTokenizer(new TokenVocab(m.Pieces, m.Types, m.Scores), sp,
                GgufTokenizerLoader.AddedFromTypes(m.Pieces, m.Types), m.AddDummyPrefix, splitOnSpace: true, m.ByteFallback,
                nfkc: m.NormalizerName.Contains("nfkc", StringComparison.Ordinal));
        }
        if (m.ModelType != SentencePieceModel.Bpe)
            throw new NotSupportedException($"{path}: trainer_spec.model_type is {m.ModelType} ({(m.ModelType == 3 ? "word" : m.ModelType == 4 ? "char" : "unknown")}); only BPE (2) and unigram (1) SentencePiece models are supported.");
        return Build(m.Pieces, m.Types, m.Scores, m.UnkId, m.BosId, m.EosId, m.PadId, m.AddDummyPrefix);
    }

    internal static SentencePieceBpeTokenizer Build(string[] pieces, TokenType[] types, float[] scores, int unk, int bos, int eos, int pad, bool addDummyPrefix)
    {
        int? Id(int i) => i >= 0 && i < pieces.Length ? i : null;
        var vocab = new TokenVocab(pieces, types, scores);
        var sp = new SpecialTokens { Unk = Id(unk), Bos = Id(bos), Eos = Id(eos), Pad = Id(pad), AddBos = true };
        return new SentencePieceBpeTokenizer(vocab, sp, GgufTokenizerLoader.AddedFromTypes(pieces, types), addDummyPrefix);
    }
}
