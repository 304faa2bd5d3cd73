// ProtobufReader: the protobuf wire format, enough to walk a message field by field: varints (wire type 0),
// 64-bit (1), length-delimited (2) and 32-bit (5) values; groups (3, 4) are rejected. No schema, no codegen.
namespace SharpLM.Text.Formats;

/// <summary>A forward-only reader over one protobuf message.</summary>
internal ref struct ProtobufReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _where;
    private int _pos;

    public ProtobufReader(ReadOnlySpan<byte> data, string where) { _data = data; _where = where; _pos = 0; }

    public bool End => _pos >= _data.Length;
    public int Position => _pos;

    /// <summary>Reads the next tag: field number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        ulong tag = ReadVarint();
        int wire = (int)(tag & 7);
        if (wire is 3 or 4 or 6 or 7) throw Bad($"wire type {wire} (expected 0, 1, 2 or 5)");
        return ((int)(tag >> 3), wire);
    }

    public ulong ReadVarint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length) throw Bad("a varint that runs past the end");
            byte b = _data[_pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw Bad("a varint longer than 10 bytes");
    }

    public float ReadFloat()
    {
        if (_pos + 4 > _data.Length) throw Bad("a 32-bit value past the end");
        float f = BitConverter.ToSingle(_data.Slice(_pos, 4));
        _pos += 4;
        return f;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos)) throw Bad($"a length-delimited field of {len} bytes past the end");
        var s = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return s;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: _pos += 8; break;
            case 2: ReadBytes(); break;
            case 5: _pos += 4; break;
        }
        if (_pos > _data.Length) throw Bad("a field past the end");
    }

    private readonly InvalidDataException Bad(string what) => new($"{_where}: malformed protobuf at byte {_pos}: {what}.");
}
