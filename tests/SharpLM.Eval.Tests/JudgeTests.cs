// Pairwise LLM-as-judge: a judge that always prefers position A yields only ties once positions are
// swapped (order bias cancelled); a judge that reads the answers yields consistent wins and losses.
using SharpLM.Eval.Judge;
using Xunit;

namespace SharpLM.Eval.Tests;

public class JudgeTests
{
    private static readonly string[] Questions = ["q1", "q2", "q3"];

    [Fact]
    public void PositionBiasedJudgeGivesAllTies()
    {
        var r = PairwiseJudge.Compare(Questions, ["a1", "a2", "a3"], ["b1", "b2", "b3"], _ => "Assistant A is clearly better. [[A]]");
        Assert.Equal((0, 3, 0), (r.Wins, r.Ties, r.Losses));
    }

    [Fact]
    public void ConsistentJudgeGivesWinsAndLosses()
    {
        // Prefers the answer that contains "good", whichever position it is in.
        static string Judge(string prompt)
        {
            var a = prompt[prompt.IndexOf("[The Start of Assistant A's Answer]", StringComparison.Ordinal)..prompt.IndexOf("[The End of Assistant A's Answer]", StringComparison.Ordinal)];
            var b = prompt[prompt.IndexOf("[The Start of Assistant B's Answer]", StringComparison.Ordinal)..prompt.IndexOf("[The End of Assistant B's Answer]", StringComparison.Ordinal)];
            return a.Contains("good") == b.Contains("good") ? "[[C]]" : a.Contains("good") ? "[[A]]" : "[[B]]";
        }
        var r = PairwiseJudge.Compare(Questions, ["good", "bad", "good"], ["bad", "good", "good"], Judge);
        Assert.Equal([Outcome.Win, Outcome.Loss, Outcome.Tie], r.Outcomes);
        Assert.Equal(1.0 / 3, r.WinRate);
        Assert.Equal(Verdict.B, PairwiseJudge.Parse("first [[A]] then on reflection [[B]]"));
        Assert.Equal(Verdict.Tie, PairwiseJudge.Parse("no verdict"));
        Assert.Contains("3 predictions for 2 references", Assert.Throws<ArgumentException>(() => PairwiseJudge.Compare(["q", "r"], ["a", "b", "c"], ["a", "b"], _ => "")).Message);
    }
}
