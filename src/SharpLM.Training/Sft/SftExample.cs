// SftExample: one conversation as tokens — the ids of the rendered session and, per token, which assistant turn it
// belongs to (−1: not trained on). Targets follow: the label of input position i is ids[i+1] when token i+1 is in
// an assistant turn, else −100 (ignored), so the loss covers exactly the assistant spans (and their end-of-turn).
namespace SharpLM.Training.Sft;

/// <summary>A tokenised session with its assistant-turn map.</summary>
public sealed record SftExample(int[] Ids, int[] Turn)
{
    /// <summary>Input/target pairs: one fewer than the tokens.</summary>
    public int Pairs => Ids.Length - 1;

    /// <summary>The targets of positions 0..Pairs−1: the next token inside an assistant turn, else −100.</summary>
    public int[] Labels()
    {
        var y = new int[Pairs];
        for (int i = 0; i < y.Length; i++) y[i] = Turn[i + 1] >= 0 ? Ids[i + 1] : -100;
        return y;
    }

    /// <summary>The assistant turn of each target (−1 for an ignored one).</summary>
    public int[] LabelTurns() => Turn[1..];

    /// <summary>Number of targets in the loss.</summary>
    public int LossTokens => Turn.Skip(1).Count(t => t >= 0);
}
