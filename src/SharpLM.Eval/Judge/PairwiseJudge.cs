// PairwiseJudge: comparative LLM-as-judge (Zheng et al., 2023, "Judging LLM-as-a-Judge with MT-Bench and
// Chatbot Arena", pairwise comparison with position swapping). Each question is judged twice — model 1's
// answer in position A, then in position B — and a win counts only when both verdicts agree; an
// inconsistent pair (the judge followed the position, not the answer) is a tie, which cancels order bias.
using System.Text.RegularExpressions;

namespace SharpLM.Eval.Judge;

public enum Verdict { A, B, Tie }
public enum Outcome { Win, Tie, Loss }

public sealed record PairwiseResult(int Wins, int Ties, int Losses, IReadOnlyList<Outcome> Outcomes)
{
    public double WinRate => (double)Wins / Outcomes.Count;
}

public static partial class PairwiseJudge
{
    /// <summary>The judge prompt (MT-Bench's pairwise format, shortened): verdict as [[A]], [[B]] or [[C]] for a tie.</summary>
    public static string Prompt(string question, string answerA, string answerB) =>
        "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question below. " +
        "Avoid any position bias; the order of the responses must not influence your decision. After a short explanation, output your final verdict " +
        "strictly in this format: \"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better, and \"[[C]]\" for a tie.\n\n" +
        $"[User Question]\n{question}\n\n[The Start of Assistant A's Answer]\n{answerA}\n[The End of Assistant A's Answer]\n\n" +
        $"[The Start of Assistant B's Answer]\n{answerB}\n[The End of Assistant B's Answer]\n";

    /// <summary>The last [[A]] / [[B]] / [[C]] in the judge's reply; anything else is a tie.</summary>
    public static Verdict Parse(string reply)
    {
        var ms = VerdictTag().Matches(reply);
        if (ms.Count == 0) return Verdict.Tie;
        return ms[^1].Groups[1].Value switch { "A" => Verdict.A, "B" => Verdict.B, _ => Verdict.Tie };
    }

    /// <summary>Outcome for model 1 from the verdicts with model 1 in position A and then in position B.</summary>
    public static Outcome Combine(Verdict model1First, Verdict model1Second) => (model1First, model1Second) switch
    {
        (Verdict.A, Verdict.B) => Outcome.Win,
        (Verdict.B, Verdict.A) => Outcome.Loss,
        _ => Outcome.Tie,
    };

    /// <summary>Judges model 1's answers against model 2's with <paramref name="judge"/> (prompt → reply text).</summary>
    public static PairwiseResult Compare(IReadOnlyList<string> questions, IReadOnlyList<string> answers1, IReadOnlyList<string> answers2, Func<string, string> judge)
    {
        Metrics.Check.SameLength("pairwise_judge (model 1 answers)", answers1, questions);
        Metrics.Check.SameLength("pairwise_judge (model 2 answers)", answers2, questions);
        var outcomes = new List<Outcome>(questions.Count);
        for (int i = 0; i < questions.Count; i++)
        {
            var first = Parse(judge(Prompt(questions[i], answers1[i], answers2[i])));
            var second = Parse(judge(Prompt(questions[i], answers2[i], answers1[i])));
            outcomes.Add(Combine(first, second));
        }
        return new PairwiseResult(outcomes.Count(o => o == Outcome.Win), outcomes.Count(o => o == Outcome.Tie), outcomes.Count(o => o == Outcome.Loss), outcomes);
    }

    [GeneratedRegex(@"\[\[(A|B|C)\]\]")] private static partial Regex VerdictTag();
}
