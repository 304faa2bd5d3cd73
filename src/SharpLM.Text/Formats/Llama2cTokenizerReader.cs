// Llama2cTokenizerReader: llama2.c's tokenizer.bin: int32 max_token_length, then per token float32 score,
// int32 byte length and the UTF-8 bytes (no count: tokens run to the end of the file). Its exporter wrote
// "▁" as ' ' and BOS/EOS as "\n<s>\n" / "\n</s>\n"; both are undone so the pieces equal tokenizer.model's.
using System.Text;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Formats;

/// <summary>Reads llama2.c tokenizer.bin files.</summary>
public static class Llama2cTokenizerReader
{
    private static readonly UTF8Encoding Utf8 = new(false, true);

    public static SentencePieceBpeTokenizer Load(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 4) throw new InvalidDataException($"{path}: too short for a llama2.c tokenizer.bin (expected an int32 max_token_length first).");
        int maxLen = BitConverter.ToInt32(data, 0);
        if (maxLen <= 0 || maxLen > 1 << 16) throw new InvalidDataException($"{path}: max_token_length {maxLen} is implausible (expected 1..65536).");
        var pieces = new List<string>(); var scores = new List<float>();
        int pos = 4;
        while (pos < data.Length)
        {
            if (pos + 8 > data.Length) throw new InvalidDataException($"{path}: token #{pieces.Count} at byte {pos} is cut off (expected float32 score and int32 length).");
            float score = BitConverter.ToSingle(data, pos);
            int len = BitConverter.ToInt32(data, pos + 4);
            pos += 8;
            if (len < 0 || len > maxLen || pos + len > data.Length)
                throw new InvalidDataException($"{path}: token #{pieces.Count} has length {len} (max_token_length {maxLen}, {data.Length - pos} bytes left).");
            string t;
            try { t = Utf8.GetString(data, pos, len); }
            catch (DecoderFallbackException) { throw new InvalidDataException($"{path}: token #{pieces.Count} is not valid UTF-8."); }
            pos += len;
            t = t switch { "\n<s>\n" => "<s>", "\n</s>\n" => "</s>", _ => t.Replace(' ', SentencePieceBpeTokenizer.SpaceSymbol) };
            pieces.Add(t); scores.Add(score);
        }
        var types = new TokenType[pieces.Count];
        for (int i = 0; i < types.Length; i++)
            types[i] = pieces[i] switch
            {
                "<unk>" => TokenType.Unknown,
                "<s>" or "</s>" => TokenType.Control,
                var p when SentencePieceBpeTokenizer.TryParseByteToken(p, out _) => TokenType.Byte,
                _ => TokenType.Normal,
            };
        var arr = pieces.ToArray();
        return SentencePieceModelReader.Build(arr, types, scores.ToArray(), Array.IndexOf(arr, "<unk>"), Array.IndexOf(arr, "<s>"), Array.IndexOf(arr, "</s>"), -1, true);
    }
}
