// SftData: the sessions of a fine-tuning run — every file read in its form, rendered and tokenised by the
// SftEncoder. Conversations without an assistant turn are skipped and counted; sessions longer than the context
// are cut to context + 1 tokens and counted (their later turns are lost), so the run reports what it trained on.
using SharpLM.Text.ChatTemplates;

namespace SharpLM.Training.Sft;

/// <summary>Encoded sessions and what was skipped or cut.</summary>
public sealed record SftData(IReadOnlyList<SftExample> Examples, int Conversations, int SkippedNoAssistant, int Truncated, int SkippedNoLossTokens)
{
    /// <summary>Reads and encodes <paramref name="files"/>; sessions are cut to <paramref name="maxTokens"/> tokens.</summary>
    public static SftData Load(IEnumerable<(string Path, SftFormat Format)> files, SftEncoder encoder, int maxTokens)
    {
        var convs = new List<IReadOnlyList<ChatMessage>>();
        foreach (var (path, format) in files) convs.AddRange(SftDataReader.Read(path, format));
        return Encode(convs, encoder, maxTokens);
    }

    /// <summary>Encodes conversations already read.</summary>
    public static SftData Encode(IReadOnlyList<IReadOnlyList<ChatMessage>> conversations, SftEncoder encoder, int maxTokens)
    {
        var list = new List<SftExample>();
        int noAssistant = 0, truncated = 0, noLoss = 0;
        foreach (var c in conversations)
        {
            var e = encoder.Encode(c);
            if (e is null) { noAssistant++; continue; }
            if (e.Ids.Length > maxTokens) { e = new SftExample(e.Ids[..maxTokens], e.Turn[..maxTokens]); truncated++; }
            if (e.LossTokens == 0) { noLoss++; continue; }   // cut before its first answer
            list.Add(e);
        }
        return new SftData(list, conversations.Count, noAssistant, truncated, noLoss);
    }
}
