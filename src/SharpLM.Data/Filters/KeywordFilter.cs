// KeywordFilter: a block-list of words or phrases (case-insensitive; whole-word for Latin script, substring for CJK);
// a document with at least MinHits matches is dropped as "keywords".
using System.Text.RegularExpressions;
using SharpLM.Data.IO;

namespace SharpLM.Data.Filters;

public sealed class KeywordFilter : IDocumentFilter
{
    private readonly Regex _re;

    public KeywordFilter(IEnumerable<string> keywords, int minHits = 1)
    {
        var parts = keywords.Where(k => k.Trim().Length > 0).Select(k =>
        {
            var e = Regex.Escape(k.Trim());
            return k.Any(char.IsAsciiLetterOrDigit) ? $@"\b{e}\b" : e;
        }).ToArray();
        if (parts.Length == 0) throw new ArgumentException("KeywordFilter: the block-list is empty.");
        _re = new Regex(string.Join('|', parts), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
        MinHits = minHits;
    }

    public int MinHits { get; }

    public int Hits(string text) => _re.Matches(text).Count;

    public string? Reject(Document doc) => Hits(doc.Text) >= MinHits ? "keywords" : null;
}
