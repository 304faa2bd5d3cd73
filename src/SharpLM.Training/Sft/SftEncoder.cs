// SftEncoder: renders a conversation through a chat template and tokenises it, marking the tokens of each
// assistant turn. The template's assistant spans (ChatRendering) are extended over the end-of-turn marker that
// follows an answer (after optional whitespace: "<|im_end|>", " </s>", "<|eot_id|>"…) — the marker is in the
// loss, as in TRL's assistant_only_loss (the `{% generation %}` blocks of chat templates include it), so the
// model learns to stop. The marker is the configured end_of_turn text, or else any special token of the
// tokenizer found there. A token is in a turn when its character range overlaps the extended span (a token
// holding template text and the first characters of the answer, like SentencePiece's "▁Hello", is trained).
// Everything else — system prompt, user turns, role headers — has label −100.
using SharpLM.Text.ChatTemplates;

namespace SharpLM.Training.Sft;

/// <summary>Conversation → <see cref="SftExample"/>.</summary>
public sealed class SftEncoder(SftTokenizer tokenizer, IChatTemplate template, string? endOfTurn = null)
{
    public SftTokenizer Tokenizer { get; } = tokenizer;
    public IChatTemplate Template { get; } = template;

    /// <summary>The end-of-turn texts tried after each answer, longest first.</summary>
    public IReadOnlyList<string> EndMarkers { get; } = endOfTurn is null ? tokenizer.SpecialTexts : endOfTurn.Length == 0 ? [] : [endOfTurn];

    /// <summary>The session as tokens; null when it has no assistant turn (nothing to train on).</summary>
    public SftExample? Encode(IReadOnlyList<ChatMessage> conversation)
    {
        if (!conversation.Any(m => m.Role == ChatRole.Assistant)) return null;
        var r = Template.Render(conversation);
        var spans = ExtendedSpans(r);
        var (ids, offsets) = Tokenizer.Encode(r.Text);
        var turn = new int[ids.Length];
        int s = 0;
        for (int k = 0; k < ids.Length; k++)
        {
            var (a, b) = offsets[k];
            while (s < spans.Count && spans[s].End <= a) s++;
            turn[k] = b > a && s < spans.Count && a < spans[s].End && b > spans[s].Start ? s : -1;
        }
        return new SftExample(ids, turn);
    }

    /// <summary>Each assistant span, extended over the end-of-turn marker after it (whitespace in between included).</summary>
    public IReadOnlyList<TextSpan> ExtendedSpans(ChatRendering r)
    {
        var text = r.Text;
        var list = new List<TextSpan>(r.AssistantSpans.Count);
        foreach (var span in r.AssistantSpans)
        {
            int p = span.End;
            while (p < text.Length && char.IsWhiteSpace(text[p]) && MarkerAt(text, p) is null) p++;
            list.Add(MarkerAt(text, p) is { } m ? new TextSpan(span.Start, p + m.Length - span.Start) : span);
        }
        return list;
    }

    private string? MarkerAt(string text, int p)
    {
        foreach (var m in EndMarkers) if (string.CompareOrdinal(text, p, m, 0, m.Length) == 0 && p + m.Length <= text.Length) return m;
        return null;
    }
}
