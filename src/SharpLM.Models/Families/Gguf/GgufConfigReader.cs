// GgufConfigReader: typed access to the "{arch}.*" hyper-parameter keys of a GGUF file that remembers which
// ones were read. A family's reader ends with RejectUnread(): any "{arch}.*" key it did not read is an error
// naming it (a sliding window, an expert count, a logit soft-cap … would change the numbers), so a file is
// never run with settings SharpLM silently skipped. Also the checks every family shares: head sizes, RoPE
// dimension count, experts, and llama.cpp's RoPE scaling keys.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;

namespace SharpLM.Models.Families.Gguf;

/// <summary>Reads "{arch}.*" keys of a GGUF file and tracks which ones were consumed.</summary>
public sealed class GgufConfigReader(GgufFile file, string arch)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public GgufFile File => file;
    public string Arch => arch;

    /// <summary>"{arch}.{suffix}".</summary>
    public string Key(string suffix) => GgufKeys.Arch(arch, suffix);

    public GgufValue? Raw(string suffix)
    {
        _read.Add(Key(suffix));
        return file.TryGet(Key(suffix));
    }

    public int Int(string suffix) => Raw(suffix) is { } v ? checked((int)As(suffix, v, x => x.AsInt64(), "an integer"))
        : throw new ModelFormatException(file.Path, Key(suffix), "missing metadata key");
    public int Int(string suffix, int fallback) => Raw(suffix) is { } v ? checked((int)As(suffix, v, x => x.AsInt64(), "an integer")) : fallback;
    public float Float(string suffix, float fallback) => Raw(suffix) is { } v ? (float)As(suffix, v, x => x.AsDouble(), "a number") : fallback;
    public string? String(string suffix) => Raw(suffix) is { } v ? As(suffix, v, x => x.AsString(), "a string") : null;

    /// <summary>Marks keys as understood (informational, or checked elsewhere).</summary>
    public void Accept(params string[] suffixes) { foreach (var s in suffixes) _read.Add(Key(s)); }

    /// <summary>Checks the keys every decoder family shares and that SharpLM does not support beyond their default;
    /// <paramref name="headDim"/> is the family's head width when it has its own (Qwen3's key_length), else 0 (dim / heads).</summary>
    public void CheckCommon(int dim, int heads, int headDim = 0)
    {
        int hd = headDim > 0 ? headDim : dim / heads;
        foreach (var k in new[] { GgufKeys.KeyLengthSuffix, GgufKeys.ValueLengthSuffix, GgufKeys.RopeDimensionCountSuffix })
            if (Raw(k) is { } v && v.AsInt64() != hd)
                throw ModelFormatException.Expected(file.Path, Key(k), headDim > 0 ? $"the head dimension {hd} (attention.key_length)" : $"the head dimension {hd} (embedding_length / head_count)", v.AsInt64());
        if (Raw(GgufKeys.ExpertCountSuffix) is { } ec && ec.AsInt64() > 0)
            throw ModelFormatException.Expected(file.Path, Key(GgufKeys.ExpertCountSuffix), "0 (mixture-of-experts models are not supported)", ec.AsInt64());
        Accept(GgufKeys.ExpertUsedCountSuffix, GgufKeys.VocabSizeSuffix);
        if (Raw(GgufKeys.SlidingWindowSuffix) is { } sw && sw.AsInt64() > 0 && sw.AsInt64() < Int(GgufKeys.ContextLengthSuffix))
            throw ModelFormatException.Expected(file.Path, Key(GgufKeys.SlidingWindowSuffix), "0 or at least the context length (sliding-window attention is not supported)", sw.AsInt64());
    }

    /// <summary>The linear RoPE factor: rope.scaling.type none/linear with rope.scaling.factor, or the older rope.scale_linear.</summary>
    public float RopeLinearFactor()
    {
        string type = String(GgufKeys.RopeScalingTypeSuffix) ?? "";
        float factor = Raw(GgufKeys.RopeScalingFactorSuffix) is not null ? Float(GgufKeys.RopeScalingFactorSuffix, 1f) : Float(GgufKeys.RopeScaleLinearSuffix, 1f);
        Accept(GgufKeys.RopeScaleLinearSuffix, GgufKeys.RopeScalingOriginalContextSuffix, GgufKeys.RopeScalingFinetunedSuffix);
        switch (type)
        {
            case "none": return 1f;
            case "linear" or "":
                if (factor == 0f) return 1f; // llama.cpp writes 0 for "unset"
                if (!(factor > 0) || !float.IsFinite(factor)) throw ModelFormatException.Expected(file.Path, Key(GgufKeys.RopeScalingFactorSuffix), "a positive number", factor);
                return factor;
            default:
                throw ModelFormatException.Expected(file.Path, Key(GgufKeys.RopeScalingTypeSuffix), "'none' or 'linear' (other RoPE scaling rules are not supported)", type);
        }
    }

    /// <summary>Throws naming the first "{arch}.*" key no reader consumed.</summary>
    public void RejectUnread()
    {
        foreach (var k in file.Keys)
            if (k.StartsWith(arch + ".", StringComparison.Ordinal) && !_read.Contains(k))
                throw new ModelFormatException(file.Path, k, $"this {arch} hyper-parameter is not understood and may change the numbers; refusing to load without it");
    }

    private T As<T>(string suffix, GgufValue v, Func<GgufValue, T> f, string wanted)
    {
        try { return f(v); }
        catch (InvalidCastException) { throw ModelFormatException.Expected(file.Path, Key(suffix), wanted, v.Describe()); }
    }
}
