// RegexPreTokenizer: splits text into pre-tokens with a sequence of regex splits (SplitStage), each splitting
// every piece of the previous stage (HF's Split, llama.cpp's unicode_regex_split). With no stage the whole text
// is one piece. Regexes see the code-point view of the text (CodePointView), so letters and digits above U+FFFF
// are \p{L} / \p{N} as in HF, tiktoken and llama.cpp. GPT-2's pattern alone runs through
// Gpt2PreTokenizerScanner, an equivalent hand-written matcher. With PrefixSpace (HF ByteLevel add_prefix_space)
// every piece reaching the last stage that does not start with ' ' gets a virtual leading space first.
using System.Text.RegularExpressions;

namespace SharpLM.Text.PreTokenization;

/// <summary>A pre-token: a span of the text, optionally preceded by a virtual space that is not in the text.</summary>
public readonly record struct PreToken(int Start, int Length, bool SpacePrefix = false);

/// <summary>Sequential regex splitting into pre-tokens.</summary>
public sealed class RegexPreTokenizer
{
    private readonly Regex[] _regexes;
    private readonly bool _gpt2;

    public RegexPreTokenizer(params string[] patterns) : this(patterns.Select(p => new SplitStage(p)).ToArray()) { }

    public RegexPreTokenizer(IReadOnlyList<SplitStage> stages, bool prefixSpace = false)
    {
        Stages = stages;
        PrefixSpace = prefixSpace;
        _regexes = stages.Select(s => PreTokenizerPatterns.Compile(s.Pattern)).ToArray();
        _gpt2 = stages.Count == 1 && stages[0] == new SplitStage(PreTokenizerPatterns.Gpt2) && !prefixSpace;
    }

    /// <summary>Use the hand-written GPT-2 scanner when the only pattern is GPT-2's (default on).</summary>
    public bool UseScanner { get; init; } = true;

    public IReadOnlyList<SplitStage> Stages { get; }

    /// <summary>The patterns of the stages.</summary>
    public IReadOnlyList<string> Patterns => Stages.Select(s => s.Pattern).ToArray();

    /// <summary>HF ByteLevel add_prefix_space: a virtual ' ' before each piece that does not start with one.</summary>
    public bool PrefixSpace { get; }

    /// <summary>True when every stage is a plain isolated split (what GGUF's named pre-tokenizers can express).</summary>
    public bool IsPlainIsolated => !PrefixSpace && Stages.All(s => s.Behavior == SplitBehavior.Isolated && !s.Invert && !s.CodeUnits);

    /// <summary>Appends the pieces of <paramref name="text"/> (offsets relative to text) to <paramref name="pieces"/>.</summary>
    public void Split(ReadOnlySpan<char> text, List<PreToken> pieces)
    {
        if (text.IsEmpty) return;
        CodePointView? view = CodePointView.Needed(text) ? CodePointView.Build(text) : null;
        if (_gpt2 && UseScanner)
        {
            if (view is null) { Gpt2PreTokenizerScanner.Split(text, 0, pieces); return; }
            int mark = pieces.Count;
            Gpt2PreTokenizerScanner.Split(view.Text, 0, pieces);
            for (int k = mark; k < pieces.Count; k++) pieces[k] = Back(view, 0, pieces[k]);
            return;
        }
        int first = pieces.Count;
        pieces.Add(new PreToken(0, text.Length));
        for (int r = 0; r < _regexes.Length; r++)
        {
            bool prefix = PrefixSpace && r == _regexes.Length - 1;
            var current = pieces.GetRange(first, pieces.Count - first);
            pieces.RemoveRange(first, pieces.Count - first);
            foreach (var p in current)
            {
                if (prefix && (p.Length == 0 || text[p.Start] != ' ')) SplitPrefixed(r, text.Slice(p.Start, p.Length), p.Start, pieces);
                else if (view is null || Stages[r].CodeUnits) SplitOne(_regexes[r], Stages[r], text.Slice(p.Start, p.Length), p.Start, pieces);
                else
                {
                    int vs = view.ToView(p.Start), ve = view.ToView(p.Start + p.Length), mark = pieces.Count;
                    SplitOne(_regexes[r], Stages[r], view.Text.AsSpan(vs, ve - vs), vs, pieces);
                    for (int k = mark; k < pieces.Count; k++) pieces[k] = Back(view, 0, pieces[k]);
                }
            }
        }
        if (PrefixSpace && _regexes.Length == 0)
        {
            pieces.RemoveAt(first);
            pieces.Add(new PreToken(0, text.Length, text[0] != ' '));
        }
    }

    private static PreToken Back(CodePointView view, int offset, PreToken p)
    {
        int s = view.ToOriginal(p.Start - offset), e = view.ToOriginal(p.Start - offset + p.Length);
        return new PreToken(s, e - s, p.SpacePrefix);
    }

    // The piece with a virtual leading space: split " " + piece; the sub-piece holding index 0 carries the space.
    private void SplitPrefixed(int r, ReadOnlySpan<char> piece, int offset, List<PreToken> pieces)
    {
        string s = " " + piece.ToString();
        var sub = new List<PreToken>();
        var view = CodePointView.Needed(s) && !Stages[r].CodeUnits ? CodePointView.Build(s) : null;
        if (view is null) SplitOne(_regexes[r], Stages[r], s, 0, sub);
        else
        {
            SplitOne(_regexes[r], Stages[r], view.Text, 0, sub);
            for (int k = 0; k < sub.Count; k++) sub[k] = Back(view, 0, sub[k]);
        }
        foreach (var q in sub)
            pieces.Add(q.Start == 0 ? new PreToken(offset, q.Length - 1, true) : new PreToken(offset + q.Start - 1, q.Length));
    }

    private static void SplitOne(Regex regex, SplitStage stage, ReadOnlySpan<char> text, int offset, List<PreToken> pieces)
    {
        if (stage.Behavior == SplitBehavior.Isolated)
        {
            // Matches and gaps alike become pieces, so invert changes nothing.
            int last = 0;
            foreach (var m in regex.EnumerateMatches(text))
            {
                if (m.Length == 0) continue;
                if (m.Index > last) pieces.Add(new PreToken(offset + last, m.Index - last));
                pieces.Add(new PreToken(offset + m.Index, m.Length));
                last = m.Index + m.Length;
            }
            if (last < text.Length) pieces.Add(new PreToken(offset + last, text.Length - last));
            return;
        }
        var parts = new List<(int S, int E, bool Match)>();
        int prev = 0;
        foreach (var m in regex.EnumerateMatches(text))
        {
            if (m.Length == 0) continue;
            if (m.Index > prev) parts.Add((prev, m.Index, stage.Invert));
            parts.Add((m.Index, m.Index + m.Length, !stage.Invert));
            prev = m.Index + m.Length;
        }
        if (prev < text.Length) parts.Add((prev, text.Length, stage.Invert));
        var outp = new List<(int S, int E)>();
        bool previousMatch = false;
        switch (stage.Behavior)
        {
            case SplitBehavior.Removed:
                foreach (var p in parts) if (!p.Match) outp.Add((p.S, p.E));
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach (var p in parts)
                {
                    if (p.Match && !previousMatch && outp.Count > 0) outp[^1] = (outp[^1].S, p.E);
                    else outp.Add((p.S, p.E));
                    previousMatch = p.Match;
                }
                break;
            case SplitBehavior.MergedWithNext:
                for (int i = parts.Count - 1; i >= 0; i--)
                {
                    var p = parts[i];
                    if (p.Match && !previousMatch && outp.Count > 0) outp[^1] = (p.S, outp[^1].E);
                    else outp.Add((p.S, p.E));
                    previousMatch = p.Match;
                }
                outp.Reverse();
                break;
            case SplitBehavior.Contiguous:
                for (int i = 0; i < parts.Count; i++)
                {
                    var p = parts[i];
                    if (i > 0 && p.Match == previousMatch) outp[^1] = (outp[^1].S, p.E);
                    else outp.Add((p.S, p.E));
                    previousMatch = p.Match;
                }
                break;
        }
        foreach (var (s, e) in outp) if (e > s) pieces.Add(new PreToken(offset + s, e - s));
    }
}
