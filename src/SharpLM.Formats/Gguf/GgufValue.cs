// GgufValue: one GGUF metadata value — a scalar of the 12 GGUF value types, a string, or an array (typed
// .NET array for scalar/string elements, GgufValue[] of arrays for nested arrays). Ids follow gguf.md.
namespace SharpLM.Formats.Gguf;

/// <summary>GGUF metadata value type ids (gguf.md `gguf_metadata_value_type`).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
    String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
}

/// <summary>An immutable GGUF metadata value.</summary>
public sealed class GgufValue
{
    /// <summary>The value type.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the element type (Array for nested arrays); otherwise equal to <see cref="Type"/>.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>The boxed scalar, the string, or the array (byte[], sbyte[], ushort[], short[], uint[], int[], float[],
    /// bool[], string[], ulong[], long[], double[], or GgufValue[] of arrays).</summary>
    public object Value { get; }

    private GgufValue(GgufValueType type, GgufValueType elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        Value = value;
    }

    private static GgufValue S(GgufValueType t, object v) => new(t, t, v);
    private static GgufValue A(GgufValueType t, object v) => new(GgufValueType.Array, t, v);

    public static GgufValue UInt8(byte v) => S(GgufValueType.UInt8, v);
    public static GgufValue Int8(sbyte v) => S(GgufValueType.Int8, v);
    public static GgufValue UInt16(ushort v) => S(GgufValueType.UInt16, v);
    public static GgufValue Int16(short v) => S(GgufValueType.Int16, v);
    public static GgufValue UInt32(uint v) => S(GgufValueType.UInt32, v);
    public static GgufValue Int32(int v) => S(GgufValueType.Int32, v);
    public static GgufValue Float32(float v) => S(GgufValueType.Float32, v);
    public static GgufValue Bool(bool v) => S(GgufValueType.Bool, v);
    public static GgufValue String(string v) => S(GgufValueType.String, v ?? throw new ArgumentNullException(nameof(v)));
    public static GgufValue UInt64(ulong v) => S(GgufValueType.UInt64, v);
    public static GgufValue Int64(long v) => S(GgufValueType.Int64, v);
    public static GgufValue Float64(double v) => S(GgufValueType.Float64, v);

    public static GgufValue Array(byte[] v) => A(GgufValueType.UInt8, v);
    public static GgufValue Array(sbyte[] v) => A(GgufValueType.Int8, v);
    public static GgufValue Array(ushort[] v) => A(GgufValueType.UInt16, v);
    public static GgufValue Array(short[] v) => A(GgufValueType.Int16, v);
    public static GgufValue Array(uint[] v) => A(GgufValueType.UInt32, v);
    public static GgufValue Array(int[] v) => A(GgufValueType.Int32, v);
    public static GgufValue Array(float[] v) => A(GgufValueType.Float32, v);
    public static GgufValue Array(bool[] v) => A(GgufValueType.Bool, v);
    public static GgufValue Array(string[] v) => A(GgufValueType.String, v);
    public static GgufValue Array(ulong[] v) => A(GgufValueType.UInt64, v);
    public static GgufValue Array(long[] v) => A(GgufValueType.Int64, v);
    public static GgufValue Array(double[] v) => A(GgufValueType.Float64, v);

    /// <summary>An array of arrays (every element must itself be an array value).</summary>
    public static GgufValue Array(GgufValue[] nested)
    {
        foreach (var e in nested)
            if (e.Type != GgufValueType.Array) throw new ArgumentException($"GgufValue.Array: a nested array may only hold arrays, found a {e.Type}.");
        return A(GgufValueType.Array, nested);
    }

    public static implicit operator GgufValue(string v) => String(v);
    public static implicit operator GgufValue(bool v) => Bool(v);
    public static implicit operator GgufValue(int v) => Int32(v);
    public static implicit operator GgufValue(uint v) => UInt32(v);
    public static implicit operator GgufValue(long v) => Int64(v);
    public static implicit operator GgufValue(ulong v) => UInt64(v);
    public static implicit operator GgufValue(float v) => Float32(v);
    public static implicit operator GgufValue(double v) => Float64(v);
    public static implicit operator GgufValue(string[] v) => Array(v);
    public static implicit operator GgufValue(int[] v) => Array(v);
    public static implicit operator GgufValue(float[] v) => Array(v);

    /// <summary>Number of elements of an array value (1 for a scalar).</summary>
    public int Count => Value is System.Array a ? a.Length : 1;

    /// <summary>Whether the value is an integer of any width and signedness.</summary>
    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
        or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    /// <summary>The string; throws <see cref="InvalidCastException"/> for any other type.</summary>
    public string AsString() => Value as string ?? throw Cast("string");

    /// <summary>Any integer type widened to long (a uint64 above long.MaxValue throws).</summary>
    public long AsInt64() => Value switch
    {
        byte v => v, sbyte v => v, ushort v => v, short v => v, uint v => v, int v => v, long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => throw Cast("integer"),
    };

    /// <summary>Any integer or float type as double.</summary>
    public double AsDouble() => Value switch
    {
        float f => f, double d => d,
        _ when IsInteger => Value is ulong u ? u : AsInt64(),
        _ => throw Cast("number"),
    };

    /// <summary>The bool.</summary>
    public bool AsBool() => Value is bool b ? b : throw Cast("bool");

    /// <summary>An array value as its typed .NET array (e.g. <c>AsArray&lt;string&gt;()</c> for token lists).</summary>
    public T[] AsArray<T>() => Value as T[] ?? throw Cast($"array of {typeof(T).Name}");

    private InvalidCastException Cast(string wanted) => new($"GGUF value: expected {wanted}, found {Describe()}.");

    /// <summary>"uint32", "array[string; 32000]" and the like.</summary>
    public string Describe() => Type == GgufValueType.Array ? $"array[{ElementType}; {Count}]" : Type.ToString();

    public override string ToString() => Value switch
    {
        string s => '"' + s + '"',
        System.Array a => $"{Describe()}",
        _ => $"{Value} ({Type})",
    };
}
