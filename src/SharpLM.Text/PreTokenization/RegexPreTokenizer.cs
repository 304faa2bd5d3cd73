// RegexPreTokenizer: splits text into pre-tokens with one or more regexes applied in sequence, each splitting
// every piece of the previous stage into its matches and the gaps between them (HF's Split with behavior
// "Isolated", llama.cpp's unicode_regex_split). With no regex the whole text is one piece. GPT-2's pattern alone
// runs through Gpt2PreTokenizerScanner, an equivalent hand-written matcher.
using System.Text.RegularExpressions;

namespace SharpLM.Text.PreTokenization;

/// <summary>Sequential regex splitting into (start, length) pieces.</summary>
public sealed class RegexPreTokenizer
{
    private readonly Regex[] _regexes;
    private readonly bool _gpt2;

    public RegexPreTokenizer(params string[] patterns)
    {
        Patterns = patterns;
        _regexes = patterns.Select(PreTokenizerPatterns.Compile).ToArray();
        _gpt2 = patterns.Length == 1 && patterns[0] == PreTokenizerPatterns.Gpt2;
    }

    /// <summary>Use the hand-written GPT-2 scanner when the only pattern is GPT-2's (default on).</summary>
    public bool UseScanner { get; init; } = true;

    public IReadOnlyList<string> Patterns { get; }

    /// <summary>Appends the pieces of <paramref name="text"/> to <paramref name="pieces"/>, offsets relative to text.</summary>
    public void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        if (text.IsEmpty) return;
        if (_regexes.Length == 0) { pieces.Add((0, text.Length)); return; }
        if (_gpt2 && UseScanner) { Gpt2PreTokenizerScanner.Split(text, 0, pieces); return; }
        int first = pieces.Count;
        SplitOne(_regexes[0], text, 0, pieces);
        for (int r = 1; r < _regexes.Length; r++)
        {
            var current = pieces.GetRange(first, pieces.Count - first);
            pieces.RemoveRange(first, pieces.Count - first);
            foreach (var (s, l) in current) SplitOne(_regexes[r], text.Slice(s, l), s, pieces);
        }
    }

    private static void SplitOne(Regex regex, ReadOnlySpan<char> text, int offset, List<(int, int)> pieces)
    {
        int last = 0;
        foreach (var m in regex.EnumerateMatches(text))
        {
            if (m.Length == 0) continue;
            if (m.Index > last) pieces.Add((offset + last, m.Index - last));
            pieces.Add((offset + m.Index, m.Length));
            last = m.Index + m.Length;
        }
        if (last < text.Length) pieces.Add((offset + last, text.Length - last));
    }
}
