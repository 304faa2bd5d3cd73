// ByteCursor: bounds-checked little-endian reads over a byte range. Every read checks the remaining length
// first and throws ModelFormatException naming the field, so no malformed count can drive an allocation
// or a read past the end.
using System.Buffers.Binary;
using System.Text;

namespace SharpLM.Formats;

internal unsafe struct ByteCursor(byte* start, long length, string file)
{
    public readonly string File = file;
    public long Position;
    public readonly long Length = length;
    public readonly long Remaining => Length - Position;

    /// <summary>Throws unless <paramref name="n"/> more bytes remain.</summary>
    public readonly void Need(long n, string what)
    {
        if (n < 0 || n > Remaining)
            throw new ModelFormatException(File, what, $"truncated at byte {Position}: expected {n} more bytes, found {Remaining}");
    }

    private ReadOnlySpan<byte> Take(int n, string what)
    {
        Need(n, what);
        var s = new ReadOnlySpan<byte>(start + Position, n);
        Position += n;
        return s;
    }

    public byte U8(string what) => Take(1, what)[0];
    public sbyte I8(string what) => (sbyte)Take(1, what)[0];
    public ushort U16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
    public short I16(string what) => BinaryPrimitives.ReadInt16LittleEndian(Take(2, what));
    public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
    public int I32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
    public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));
    public long I64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));
    public float F32(string what) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, what));
    public double F64(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>Raw bytes (length checked against the remaining bytes before anything is allocated).</summary>
    public ReadOnlySpan<byte> Bytes(long n, string what)
    {
        Need(n, what);
        return Take((int)n, what);
    }

    /// <summary>A GGUF string: uint64 byte length, then UTF-8 bytes. Invalid sequences become U+FFFD, or with
    /// <paramref name="strictUtf8"/> throw naming the field.</summary>
    public string GgufString(string what, bool strictUtf8 = false)
    {
        ulong n = U64(what);
        if (n > (ulong)Remaining) throw new ModelFormatException(File, what, $"string of {n} bytes at byte {Position - 8} runs past the end ({Remaining} bytes remain)");
        long at = Position;
        var bytes = Take((int)n, what);
        if (!strictUtf8) return Encoding.UTF8.GetString(bytes);
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw new ModelFormatException(File, what, $"the string at byte {at} is not valid UTF-8"); }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
}
