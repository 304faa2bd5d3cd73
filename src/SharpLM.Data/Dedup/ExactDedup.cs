// ExactDedup: drops documents (or lines) whose normalised text was seen before, keyed by xxHash64
// (System.IO.Hashing.XxHash64) of the UTF-8 bytes of TextNormalizer.Normalize.
using System.IO.Hashing;
using System.Text;

namespace SharpLM.Data.Dedup;

public sealed class ExactDedup
{
    private readonly HashSet<ulong> _seen = [];
    private readonly object _lock = new();

    public long Seen { get; private set; }
    public long Duplicates { get; private set; }

    public static ulong Hash(string text) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(TextNormalizer.Normalize(text)));

    /// <summary>True the first time this normalised text is offered (thread-safe).</summary>
    public bool IsFirst(string text)
    {
        ulong h = Hash(text);
        lock (_lock)
        {
            Seen++;
            if (_seen.Add(h)) return true;
            Duplicates++;
            return false;
        }
    }
}

/// <summary>Line-level dedup across documents: a line (normalised, at least <see cref="MinChars"/> characters)
/// already seen in an earlier document is removed; blank and short lines are kept.</summary>
public sealed class LineDedup(int minChars = 10)
{
    private readonly HashSet<ulong> _seen = [];

    public int MinChars { get; } = minChars;
    public long LinesRemoved { get; private set; }

    public string Apply(string document)
    {
        var lines = document.Split('\n');
        var kept = new List<string>(lines.Length);
        var mine = new HashSet<ulong>();
        foreach (var line in lines)
        {
            var n = TextNormalizer.Normalize(line);
            if (n.Length < MinChars) { kept.Add(line); continue; }
            ulong h = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(n));
            if (_seen.Contains(h) && !mine.Contains(h)) { LinesRemoved++; continue; }
            mine.Add(h);
            kept.Add(line);
        }
        foreach (var h in mine) _seen.Add(h);
        return string.Join('\n', kept);
    }
}
