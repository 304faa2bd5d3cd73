// TextStreamer: generated token ids → text pieces as they become final, with stop strings.
//   Incremental detokenisation (the method of Hugging Face's TextStreamer / text-generation-inference): the
//   tokens from a prefix offset are decoded again with and without the new token and the difference is the
//   new text. Decoding from a little earlier than the new token keeps tokenizer context (SentencePiece drops
//   the leading space of a decode's first token; byte-level BPE splits UTF-8 characters across tokens), and a
//   piece that ends in U+FFFD (an incomplete UTF-8 sequence) waits for the next token.
//   Stop strings (OpenAI `stop`, HF `stop_strings`): the text is cut before the first occurrence of any stop
//   string and generation ends. Text that could still become the start of a stop string is held back until
//   the next piece decides it, so no emitted text is ever taken back.
using System.Text;

namespace SharpLM.Inference.Generation;

/// <summary>Turns a stream of token ids into final text pieces, honouring stop strings.</summary>
public sealed class TextStreamer
{
    private readonly Func<int[], string> _detokenize;
    private readonly IReadOnlyList<string> _stops;
    private readonly List<int> _tokens = [];
    private readonly StringBuilder _text = new();
    private string _held = "";
    private int _prefix, _read; // decode window: tokens [_prefix, _read) gave the text already taken

    /// <param name="detokenize">The tokenizer's decode of a run of ids.</param>
    /// <param name="stopStrings">Non-empty strings that end generation (the text is cut before them).</param>
    public TextStreamer(Func<int[], string> detokenize, IReadOnlyList<string>? stopStrings = null)
    {
        _detokenize = detokenize ?? throw new ArgumentNullException(nameof(detokenize));
        _stops = stopStrings ?? [];
        CheckStopStrings(_stops, "TextStreamer");
    }

    /// <summary>Throws when a stop string is empty (it would match at once); <paramref name="owner"/> names the caller in the message.</summary>
    internal static void CheckStopStrings(IReadOnlyList<string> stops, string owner)
    {
        for (int i = 0; i < stops.Count; i++)
            if (string.IsNullOrEmpty(stops[i])) throw new ArgumentException($"{owner}: stop string {i} is empty.");
    }

    /// <summary>True once a stop string has appeared; later tokens are ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>All text emitted so far (after <see cref="Finish"/>: the whole final text).</summary>
    public string Text => _text.ToString();

    /// <summary>Adds one generated token; returns the text that became final (often empty).</summary>
    public string Push(int token)
    {
        if (Stopped) return "";
        _tokens.Add(token);
        string before = _detokenize(_tokens.GetRange(_prefix, _read - _prefix).ToArray());
        string after = _detokenize(_tokens.GetRange(_prefix, _tokens.Count - _prefix).ToArray());
        if (after.Length <= before.Length || after.EndsWith('\uFFFD')) return ""; // wait for the rest of a character
        string piece = after.StartsWith(before, StringComparison.Ordinal) ? after[before.Length..] : after[Math.Min(before.Length, after.Length)..];
        _prefix = _read;
        _read = _tokens.Count;
        return Emit(_held + piece);
    }

    /// <summary>Generation ended for another reason (length, EOS, cancel): releases the held-back text.</summary>
    public string Finish()
    {
        if (Stopped || _held.Length == 0) return "";
        string rest = _held;
        _held = "";
        _text.Append(rest);
        return rest;
    }

    private string Emit(string pending)
    {
        int cut = -1;
        foreach (var s in _stops)
        {
            int i = pending.IndexOf(s, StringComparison.Ordinal);
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0)
        {
            Stopped = true;
            _held = "";
            _text.Append(pending, 0, cut);
            return pending[..cut];
        }
        int hold = 0; // the longest tail of pending that is a proper prefix of some stop string
        foreach (var s in _stops)
            for (int k = Math.Min(s.Length - 1, pending.Length); k > hold; k--)
                if (pending.AsSpan(pending.Length - k).SequenceEqual(s.AsSpan(0, k))) { hold = k; break; }
        _held = pending[^hold..];
        string final = pending[..^hold];
        _text.Append(final);
        return final;
    }
}
