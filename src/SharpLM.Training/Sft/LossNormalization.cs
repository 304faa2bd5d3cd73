// LossNormalization: how SFT averages the per-token losses of the assistant turns — the ChatGLM2 question of
// weighting a multi-turn session (Q1 A1 Q2 A2 Q3 A3 trained as one sample, loss on the answers only):
//   Token    every answer token of the step weighs the same (mean over tokens): a session's turns weigh in
//            proportion to their lengths, and a long session counts more than a short one;
//   Session  each session's answer tokens are averaged first, then sessions are averaged: every session weighs
//            the same, whatever its length, and within it the turns still weigh by their tokens.
// SftLossWeights turns a micro-batch's targets into the per-target weights of the chosen rule; the Trainer
// weights micro-batches by Count (tokens or sessions), so the rule holds across gradient accumulation too.
namespace SharpLM.Training.Sft;

/// <summary>"token" | "session".</summary>
public enum LossNormalization { Token, Session }

/// <summary>Per-target loss weights of a micro-batch.</summary>
public static class SftLossWeights
{
    /// <summary>
    /// Weights w (Σ w = 1 over the counted targets, 0 on ignored ones) for <paramref name="labels"/> (−100 ignored)
    /// whose sessions are <paramref name="session"/>; the loss is Σ w·ℓ.
    /// </summary>
    public static float[] For(int[] labels, int[] session, LossNormalization rule)
    {
        if (labels.Length != session.Length) throw new ArgumentException($"SftLossWeights: {labels.Length} labels but {session.Length} session ids.");
        var w = new float[labels.Length];
        if (rule == LossNormalization.Token)
        {
            int valid = labels.Count(l => l != -100);
            for (int i = 0; i < w.Length; i++) if (labels[i] != -100) w[i] = 1f / valid;
            return w;
        }
        var perSession = new Dictionary<int, int>();
        for (int i = 0; i < w.Length; i++)
            if (labels[i] != -100) perSession[session[i]] = perSession.GetValueOrDefault(session[i]) + 1;
        for (int i = 0; i < w.Length; i++)
            if (labels[i] != -100) w[i] = (float)(1.0 / ((double)perSession.Count * perSession[session[i]]));
        return w;
    }

    /// <summary>What the micro-batch's mean runs over: targets (Token) or sessions with a target (Session).</summary>
    public static long Count(int[] labels, int[] session, LossNormalization rule) =>
        rule == LossNormalization.Token ? labels.Count(l => l != -100)
        : labels.Select((l, i) => (l, i)).Where(p => p.l != -100).Select(p => session[p.i]).Distinct().Count();
}
