// ModulePattern: matches dotted module paths ("model.layers.3.self_attn.q_proj") against a pattern whose
// segments are names or "*" (exactly one segment). A pattern matches a path when it matches the path's
// last segments, so "layers.*.self_attn.q_proj" and "q_proj" both name every layer's q_proj, and a full
// path names one module.
namespace SharpLM.Models.Modules;

/// <summary>A parsed module-path pattern.</summary>
public sealed class ModulePattern
{
    private readonly string[] _segments;

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    public ModulePattern(string pattern)
    {
        Text = pattern ?? throw new ArgumentNullException(nameof(pattern));
        _segments = pattern.Split('.');
        if (pattern.Length == 0 || _segments.Any(s => s.Length == 0))
            throw new ArgumentException($"Module pattern '{pattern}': segments must be non-empty names or '*' separated by single dots.");
    }

    /// <summary>True when the pattern matches the last segments of <paramref name="path"/>.</summary>
    public bool Matches(string path)
    {
        if (path.Length == 0) return false;
        var parts = path.Split('.');
        if (parts.Length < _segments.Length) return false;
        int off = parts.Length - _segments.Length;
        for (int i = 0; i < _segments.Length; i++)
            if (_segments[i] != "*" && _segments[i] != parts[off + i]) return false;
        return true;
    }

    public override string ToString() => Text;
}
