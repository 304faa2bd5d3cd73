// MappedFile: a read-only memory map of a whole file, exposing a raw pointer and its length. Readers parse
// headers through ByteCursor and hand out tensor spans that point straight into the map (no copy).
// A symbolic link is followed to its final target, whose length is mapped (ModelPath; a dangling link is an error).
using System.IO.MemoryMappedFiles;

namespace SharpLM.Formats;

internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    public string Path { get; }
    public long Length { get; }

    public byte* Pointer => _pointer != null || Length == 0 ? _pointer : throw new ObjectDisposedException(Path);

    public MappedFile(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelFormatException(path, "", "file not found");
        // The length of the opened target, not FileInfo(path).Length: for a symbolic link that is the link's own length.
        var stream = new FileStream(ModelPath.ResolveFile(path), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        Length = stream.Length;
        if (Length == 0) { stream.Dispose(); return; } // an empty file cannot be mapped; readers report it as truncated
        try { _map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false); }
        catch { stream.Dispose(); throw; }
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p + _view.PointerOffset;
    }

    public ByteCursor Cursor() => new(_pointer, Length, Path);

    public ReadOnlySpan<byte> Span(long offset, long length)
    {
        if (length > int.MaxValue) throw new InvalidOperationException($"{Path}: a span over {length} bytes exceeds 2 GiB; use the pointer instead.");
        return new ReadOnlySpan<byte>(Pointer + offset, (int)length);
    }

    public void Dispose()
    {
        if (_view is not null && _pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
