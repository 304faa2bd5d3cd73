// SplitStage: one regex split of a pre-tokenizer sequence with HF tokenizers' Split semantics: the text is cut
// into matches and the gaps between them; invert swaps the two; the behavior says what becomes of the matches
// (Removed: dropped; Isolated: pieces of their own; MergedWithPrevious / MergedWithNext: glued to the gap before
// / after; Contiguous: runs of matches, and runs of gaps, become one piece). llama.cpp's regex lists are Isolated.
namespace SharpLM.Text.PreTokenization;

/// <summary>What a split does with the delimiters it finds (HF's SplitDelimiterBehavior).</summary>
public enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>A regex split. <paramref name="CodeUnits"/>: the pattern spells characters above U+FFFF as surrogate
/// pairs and runs on the text itself; otherwise it runs on the code-point view (astral characters classified).</summary>
public sealed record SplitStage(string Pattern, SplitBehavior Behavior = SplitBehavior.Isolated, bool Invert = false, bool CodeUnits = false)
{
    public static implicit operator SplitStage(string pattern) => new(pattern);

    /// <summary>The HF name of a behavior ("Isolated", …) as a value, or null when unknown.</summary>
    public static SplitBehavior? ParseBehavior(string name) => name switch
    {
        "Removed" => SplitBehavior.Removed, "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious, "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous, _ => null,
    };
}
