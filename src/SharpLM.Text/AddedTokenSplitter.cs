// AddedTokenSplitter: cuts raw text into plain segments and added-token matches, leftmost-longest, before
// the model tokenizes the plain segments. Candidates are indexed by first character so the scan is linear
// in the text for vocabularies with few added tokens. A match with LStrip / RStrip also takes the whitespace
// around it (Unicode White_Space as HF's char::is_whitespace, or only ASCII isspace as llama.cpp when
// AsciiWhitespace); a SingleWord token is skipped where a letter, digit or '_' touches it (HF).
namespace SharpLM.Text;

/// <summary>Finds added tokens in text.</summary>
public sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirst;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens, bool asciiWhitespace = false)
    {
        _byFirst = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        AsciiWhitespace = asciiWhitespace;
    }

    public bool IsEmpty => _byFirst.Count == 0;

    /// <summary>llama.cpp's isspace (space, \t, \n, \v, \f, \r) instead of Unicode whitespace for lstrip/rstrip.</summary>
    public bool AsciiWhitespace { get; }

    private bool IsSpace(char c) => AsciiWhitespace ? c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' : char.IsWhiteSpace(c);

    private static bool IsWordChar(string text, int at, bool before)
    {
        if (before ? at <= 0 : at >= text.Length) return false;
        var r = before ? System.Text.Rune.GetRuneAt(text, char.IsLowSurrogate(text[at - 1]) && at >= 2 ? at - 2 : at - 1) : System.Text.Rune.GetRuneAt(text, at);
        return System.Text.Rune.IsLetterOrDigit(r) || r.Value == '_';
    }

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
                    if (i + c.Content.Length > text.Length || string.CompareOrdinal(text, i, c.Content, 0, c.Content.Length) != 0) continue;
                    int end = i + c.Content.Length;
                    if (c.SingleWord && (IsWordChar(text, i, true) || IsWordChar(text, end, false))) continue;
                    int left = i;
                    if (c.LStrip) while (left > segStart && IsSpace(text[left - 1])) left--;
                    if (left > segStart) plain(segStart, left - segStart);
                    token(c, i);
                    if (c.RStrip) while (end < text.Length && IsSpace(text[end])) end++;
                    i = end - 1;
                    segStart = end;
                    break;
                }
            }
        }
        if (segStart < text.Length) plain(segStart, text.Length - segStart);
    }
}
