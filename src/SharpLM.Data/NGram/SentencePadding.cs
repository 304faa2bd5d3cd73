// SentencePadding: how a sentence is wrapped in boundary tokens before counting and scoring.
namespace SharpLM.Data.NGram;

public enum SentencePadding
{
    /// <summary>ARPA / KenLM / SRILM convention: one &lt;s&gt; before, one &lt;/s&gt; after; &lt;s&gt; is context only, never predicted.</summary>
    Single,
    /// <summary>NLTK convention (nltk.lm.preprocessing.pad_both_ends): order-1 &lt;s&gt; before and order-1 &lt;/s&gt; after;
    /// every token after the first order-1 is predicted, the extra &lt;/s&gt; included.</summary>
    OrderMinusOne,
}

/// <summary>The names the CLI and the ARPA header marker use: "arpa" (Single) and "nltk" (OrderMinusOne).</summary>
public static class SentencePaddingNames
{
    public const string Arpa = "arpa", Nltk = "nltk";

    public static string Name(this SentencePadding p) => p == SentencePadding.Single ? Arpa : Nltk;

    public static SentencePadding Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        Arpa => SentencePadding.Single,
        Nltk => SentencePadding.OrderMinusOne,
        _ => throw new FormatException($"unknown sentence padding '{name}'; expected '{Arpa}' or '{Nltk}'."),
    };
}

internal static class Padding
{
    /// <summary>The padded id sequence and the index of the first predicted position.</summary>
    public static (int[] Ids, int FirstPredicted) Pad(IReadOnlyList<int> words, int order, SentencePadding padding, LmVocabulary v)
    {
        int pad = padding == SentencePadding.Single ? 1 : order - 1;
        var ids = new int[words.Count + 2 * pad];
        for (int i = 0; i < pad; i++) { ids[i] = v.BosId; ids[^(i + 1)] = v.EosId; }
        for (int i = 0; i < words.Count; i++) ids[pad + i] = words[i];
        return (ids, pad);
    }
}
