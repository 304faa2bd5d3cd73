// Per-token vs per-session loss weights, worked on the ChatGLM2 argument (one session Q1 A1 Q2 A2 Q3 A3, loss on
// the answers only). Answers are counted in trained targets (answer tokens plus the end-of-turn).
//  * One session with answers of 4, 1 and 1 targets: mean over the session's answer tokens weighs the turns
//    2/3, 1/6, 1/6 — under both rules, since within one session both average over its tokens.
//  * The per-turn organisation of the same dialogue (ChatGLM-6B's: one sample per turn, Q1A1 | Q1A1Q2A2 |
//    Q1A1Q2A2Q3A3, the chat template marking every answer of a sample) with answers of 27, 15 and 14 targets:
//    per-session averaging gives turn k the mean of its share in every sample containing it,
//    ((1 + 27/42 + 27/56)/3, (15/42 + 15/56)/3, (14/56)/3) = (17/24, 5/24, 1/12), while per-token averaging gives
//    (3·27, 2·15, 14)/125 — the earlier turns, repeated in every later sample, dominate either way. The same
//    dialogue as one session gives (27, 15, 14)/56.
// The weights are read off the batches the SftBatchSource packs and SftLossWeights weights, summed per turn.
using SharpLM.Training.Sft;
using Xunit;

namespace SharpLM.Training.Tests.Sft;

public class SftLossWeightTests
{
    /// <summary>A session of turns (question length, answer targets): ids are arbitrary, Turn marks the answers.</summary>
    private static SftExample Session(params (int Question, int Answer)[] turns)
    {
        var ids = new List<int> { 1 };                 // a BOS: the first token is never a target
        var turn = new List<int> { -1 };
        for (int k = 0; k < turns.Length; k++)
        {
            for (int i = 0; i < turns[k].Question; i++) { ids.Add(10 + i); turn.Add(-1); }
            for (int i = 0; i < turns[k].Answer; i++) { ids.Add(50 + i); turn.Add(k); }
        }
        return new SftExample(ids.ToArray(), turn.ToArray());
    }

    /// <summary>Weight of each assistant turn (summed over sessions) in one packed micro-batch of <paramref name="sessions"/>.</summary>
    private static double[] TurnWeights(LossNormalization rule, params SftExample[] sessions)
    {
        var source = new SftBatchSource(sessions, batch: 1, context: sessions.Sum(s => s.Pairs), pack: true, seed: 3);
        var b = source.Next();
        var w = SftLossWeights.For(b.Labels, b.Session, rule);
        var perTurn = new double[3];
        for (int i = 0; i < w.Length; i++) if (b.Turn[i] >= 0) perTurn[b.Turn[i]] += w[i];
        Assert.Equal(1.0, w.Sum(x => (double)x), 6);
        Assert.Equal(sessions.Length, b.Session.Where(s => s >= 0).Distinct().Count());
        return perTurn;
    }

    private static void Equal(double[] expected, double[] actual)
    {
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 6);
    }

    [Fact]
    public void One_session_weighs_its_turns_by_their_tokens_2_3_1_6_1_6()
    {
        var session = Session((3, 4), (5, 1), (2, 1));
        Equal([2.0 / 3, 1.0 / 6, 1.0 / 6], TurnWeights(LossNormalization.Session, session));
        Equal([2.0 / 3, 1.0 / 6, 1.0 / 6], TurnWeights(LossNormalization.Token, session));
    }

    [Fact]
    public void Per_turn_samples_averaged_per_session_give_17_24_5_24_1_12()
    {
        (int, int) t1 = (3, 27), t2 = (5, 15), t3 = (2, 14);
        SftExample[] perTurn = [Session(t1), Session(t1, t2), Session(t1, t2, t3)];
        Equal([17.0 / 24, 5.0 / 24, 1.0 / 12], TurnWeights(LossNormalization.Session, perTurn));
        Equal([81.0 / 125, 30.0 / 125, 14.0 / 125], TurnWeights(LossNormalization.Token, perTurn));
        Equal([27.0 / 56, 15.0 / 56, 14.0 / 56], TurnWeights(LossNormalization.Session, Session(t1, t2, t3)));
    }

    [Fact]
    public void Per_session_weighs_sessions_equally_and_counts_sessions()
    {
        var shortOne = Session((2, 1));
        var longOne = Session((2, 9));
        var source = new SftBatchSource([shortOne, longOne], 1, shortOne.Pairs + longOne.Pairs, pack: true, seed: 1);
        var b = source.Next();
        var w = SftLossWeights.For(b.Labels, b.Session, LossNormalization.Session);
        var perSession = b.Session.Select((s, i) => (s, w[i])).Where(p => p.s >= 0).GroupBy(p => p.s).Select(g => g.Sum(p => (double)p.Item2)).ToArray();
        Assert.All(perSession, x => Assert.Equal(0.5, x, 6));
        Assert.Equal(2, SftLossWeights.Count(b.Labels, b.Session, LossNormalization.Session));
        Assert.Equal(10, SftLossWeights.Count(b.Labels, b.Session, LossNormalization.Token));
    }
}
