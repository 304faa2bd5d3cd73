// AddedTokenSplitter: cuts raw text into plain segments and added-token matches, leftmost-longest, before
// the model tokenizes the plain segments. Candidates are indexed by first character so the scan is linear
// in the text for vocabularies with few added tokens.
namespace SharpLM.Text;

/// <summary>Finds added tokens in text.</summary>
public sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirst;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirst = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => _byFirst.Count == 0;

    /// <summary>Calls <paramref name="plain"/> for each plain span (start, length) and <paramref name="token"/>
    /// for each added token found (with its start), in text order.</summary>
    public void Split(string text, bool parseSpecial, Action<int, int> plain, Action<AddedToken, int> token)
    {
        int segStart = 0;
        if (!IsEmpty)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (!_byFirst.TryGetValue(text[i], out var candidates)) continue;
                foreach (var c in candidates)
                {
                    if (c.Special && !parseSpecial) continue;
                    if (string.CompareOrdinal(text, i, c.Content, 0, c.Content.Length) != 0 || i + c.Content.Length > text.Length) continue;
                    if (i > segStart) plain(segStart, i - segStart);
                    token(c, i);
                    i += c.Content.Length - 1;
                    segStart = i + 1;
                    break;
                }
            }
        }
        if (segStart < text.Length) plain(segStart, text.Length - segStart);
    }
}
