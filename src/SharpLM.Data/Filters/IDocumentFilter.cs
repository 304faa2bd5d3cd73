// IDocumentFilter: a quality filter that names why it drops a document; FilterChain runs several and counts reasons.
using System.Collections.Concurrent;
using SharpLM.Data.IO;

namespace SharpLM.Data.Filters;

public interface IDocumentFilter
{
    /// <summary>Null to keep the document, otherwise the reason it is dropped ("gopher:word_count", ...).</summary>
    string? Reject(Document doc);
}

public sealed class FilterChain(IReadOnlyList<IDocumentFilter> filters)
{
    private readonly ConcurrentDictionary<string, long> _reasons = new();
    private long _kept;

    public long Kept => Interlocked.Read(ref _kept);
    public IReadOnlyDictionary<string, long> Reasons => new SortedDictionary<string, long>(_reasons);

    /// <summary>True to keep; otherwise the first rejecting filter's reason is counted (thread-safe).</summary>
    public bool Keep(Document doc)
    {
        foreach (var f in filters)
            if (f.Reject(doc) is { } reason) { _reasons.AddOrUpdate(reason, 1, (_, n) => n + 1); return false; }
        Interlocked.Increment(ref _kept);
        return true;
    }
}
