// ByteToUnicode: GPT-2's reversible mapping of the 256 byte values onto printable Unicode characters, so
// byte-level BPE vocabularies and merges can be stored as text (vocab.json, merges.txt, tokenizer.json).
// Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 bytes map, in
// order, to U+0100, U+0101, … (so the space byte 0x20 becomes 'Ġ' U+0120 and '\n' becomes 'Ċ' U+010A).
namespace SharpLM.Text.ByteLevel;

/// <summary>GPT-2's byte ↔ printable-character table.</summary>
public static class ByteToUnicode
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, (byte)b)).ToDictionary(t => t.c, t => t.Item2);

    private static char[] Build()
    {
        var map = new char[256];
        var direct = new bool[256];
        for (int b = '!'; b <= '~'; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = direct[b] ? (char)b : (char)next++;
        return map;
    }

    /// <summary>The character standing for byte <paramref name="b"/>.</summary>
    public static char Encode(byte b) => ByteToChar[b];

    /// <summary>The text form of a byte string.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>True when <paramref name="c"/> is one of the 256 mapped characters.</summary>
    public static bool IsMapped(char c) => CharToByte.ContainsKey(c);

    /// <summary>The byte string behind a text form; throws naming the character when it is not mapped.</summary>
    public static byte[] Decode(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
            bytes[i] = CharToByte.TryGetValue(text[i], out var b) ? b
                : throw new FormatException($"ByteToUnicode: character U+{(int)text[i]:X4} at index {i} of \"{text}\" is not a byte-level character.");
        return bytes;
    }
}
