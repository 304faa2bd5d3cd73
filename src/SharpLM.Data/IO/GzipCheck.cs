// GzipCheck: what .NET's GZipStream does not check for a .jsonl.gz — that the file is gzip at all (magic 1f 8b,
// RFC 1952 §2.3.1) and that it is complete: GZipStream stops without an error where a cut-short file ends, so the
// decompressed length is compared with the trailer's ISIZE (length mod 2^32 of the last member). A BGZF file ends
// with an empty member (ISIZE 0) and is taken as complete by that marker; other multi-member files whose last member
// is not the whole text are reported as incomplete (a known limit: re-compress them as one member).
using System.Buffers.Binary;

namespace SharpLM.Data.IO;

internal static class GzipCheck
{
    public static void RequireMagic(string path)
    {
        Span<byte> head = stackalloc byte[2];
        using var f = File.OpenRead(path);
        if (f.ReadAtLeast(head, 2, throwOnEndOfStream: false) < 2 || head[0] != 0x1f || head[1] != 0x8b)
            throw new InvalidDataException($"{path}: not a gzip file (no 1f 8b magic); expected gzip-compressed JSON lines (or name it .jsonl).");
    }

    public static void RequireComplete(string path, long decompressed)
    {
        Span<byte> tail = stackalloc byte[4];
        using var f = File.OpenRead(path);
        if (f.Length < 18) throw new InvalidDataException($"{path}: truncated gzip file ({f.Length} bytes); expected a complete gzip stream.");
        f.Seek(-4, SeekOrigin.End);
        f.ReadExactly(tail);
        uint isize = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        if (isize == 0 && f.Length >= 28) return; // BGZF's empty end-of-file member
        if (isize != (uint)decompressed)
            throw new InvalidDataException($"{path}: truncated or corrupt gzip file: {decompressed:N0} bytes decompressed, the gzip trailer says {isize:N0} (mod 2^32); expected a complete file.");
    }
}

/// <summary>A read-only pass-through stream that counts the bytes read.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) { int n = inner.Read(buffer, offset, count); BytesRead += n; return n; }
    public override int Read(Span<byte> buffer) { int n = inner.Read(buffer); BytesRead += n; return n; }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
