// SftDemoData: the instruction set of the fine-tuning demo, generated from the same world as the quickstart's
// story corpus (SyntheticCorpus: names, animals, places, things, feelings) so the quickstart model knows the words:
// multi-turn sessions where the user tells a short story and asks about it (where did X go, what did X find, how
// did X feel, who came along), and arithmetic questions answered with the working shown ("17 + 25 = 10 + 20 + 7 +
// 5 = 30 + 12 = 42. The answer is 42."). Written as OpenAI "messages" JSONL; deterministic for a seed. The
// held-out file uses another seed, so its stories and sums are (mostly) unseen.
using System.Text;
using System.Text.Json;
using SharpLM.Tensors.Rng;

namespace SharpLM.Training.Sft;

/// <summary>Generates the demo's SFT sessions.</summary>
public static class SftDemoData
{
    private static readonly string[] Names = ["Lily", "Tom", "Mia", "Ben", "Anna", "Sam", "Zoe", "Max"];
    private static readonly string[] Animals = ["cat", "dog", "bird", "fox", "rabbit", "owl"];
    private static readonly string[] Places = ["the park", "the forest", "the garden", "the river", "the old house", "the market"];
    private static readonly string[] Things = ["a red ball", "a shiny key", "a small box", "a blue kite", "a warm hat", "a map"];
    private static readonly string[] Feelings = ["happy", "sad", "scared", "curious", "tired", "excited"];

    /// <summary><paramref name="count"/> sessions as (role, content) lists.</summary>
    public static List<List<(string Role, string Content)>> Generate(int count, ulong seed)
    {
        var g = new Generator(seed);
        string Pick(string[] a) => a[g.NextInt(a.Length)];
        var sessions = new List<List<(string, string)>>(count);
        for (int s = 0; s < count; s++)
        {
            var turns = new List<(string, string)>();
            if (g.NextInt(3) == 0)
            {
                int n = 1 + g.NextInt(2);
                for (int k = 0; k < n; k++)
                {
                    int a = g.NextInt(50), b = g.NextInt(50);
                    bool add = g.NextInt(2) == 0;
                    if (!add && a < b) (a, b) = (b, a);
                    turns.Add(("user", $"What is {a} {(add ? "+" : "-")} {b}?"));
                    turns.Add(("assistant", Worked(a, b, add)));
                }
            }
            else
            {
                string name = Pick(Names), animal = Pick(Animals), place = Pick(Places), thing = Pick(Things), feel = Pick(Feelings);
                string story = $"Once upon a time, {name} went to {place} with a {animal}. There, {name} found {thing}. {name} felt {feel}.";
                var qa = new (string Q, string A)[]
                {
                    ($"Where did {name} go?", $"{name} went to {place}."),
                    ($"What did {name} find?", $"{name} found {thing}."),
                    ($"How did {name} feel?", $"{name} felt {feel}."),
                    ($"Who went with {name}?", $"A {animal} went with {name}."),
                };
                int first = g.NextInt(qa.Length), n = 1 + g.NextInt(3);
                for (int k = 0; k < n; k++)
                {
                    var (q, a) = qa[(first + k) % qa.Length];
                    turns.Add(("user", k == 0 ? $"{story} {q}" : q));
                    turns.Add(("assistant", a));
                }
            }
            sessions.Add(turns);
        }
        return sessions;
    }

    /// <summary>The worked answer: tens and units added (or subtracted) separately, then the result.</summary>
    public static string Worked(int a, int b, bool add)
    {
        int r = add ? a + b : a - b;
        if (a < 10 || b < 10) return $"{a} {(add ? "+" : "-")} {b} = {r}. The answer is {r}.";
        int ta = a / 10 * 10, ua = a % 10, tb = b / 10 * 10, ub = b % 10;
        return add
            ? $"{a} + {b} = {ta} + {tb} + {ua} + {ub} = {ta + tb} + {ua + ub} = {r}. The answer is {r}."
            : $"{a} - {b} = {a} - {tb} - {ub} = {a - tb} - {ub} = {r}. The answer is {r}.";
    }

    /// <summary>Writes <paramref name="count"/> sessions to <paramref name="path"/> as messages JSONL (atomically).</summary>
    public static void Write(string path, int count, ulong seed)
    {
        var sb = new StringBuilder();
        foreach (var s in Generate(count, seed))
            sb.Append(JsonSerializer.Serialize(new { messages = s.Select(t => new { role = t.Role, content = t.Content }) })).Append('\n');
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path + ".tmp", sb.ToString());
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
