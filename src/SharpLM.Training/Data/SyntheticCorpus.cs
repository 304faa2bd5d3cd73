// SyntheticCorpus: a deterministic, self-generated training text for the quickstart (no download, no
// network): templated short stories (characters, places, objects, a small plot) interleaved with
// arithmetic facts ("17 + 25 = 42."). Learnable structure at several scales, so the loss visibly falls
// within minutes on two cores.
using System.Text;
using SharpLM.Tensors.Rng;

namespace SharpLM.Training.Data;

public static class SyntheticCorpus
{
    private static readonly string[] Names = ["Lily", "Tom", "Mia", "Ben", "Anna", "Sam", "Zoe", "Max"];
    private static readonly string[] Animals = ["cat", "dog", "bird", "fox", "rabbit", "owl"];
    private static readonly string[] Places = ["the park", "the forest", "the garden", "the river", "the old house", "the market"];
    private static readonly string[] Things = ["a red ball", "a shiny key", "a small box", "a blue kite", "a warm hat", "a map"];
    private static readonly string[] Feelings = ["happy", "sad", "scared", "curious", "tired", "excited"];

    /// <summary>About <paramref name="characters"/> characters of text, the same for the same seed.</summary>
    public static string Generate(int characters = 400_000, ulong seed = 1)
    {
        var g = new Generator(seed);
        string Pick(string[] a) => a[g.NextInt(a.Length)];
        var sb = new StringBuilder(characters + 512);
        while (sb.Length < characters)
        {
            if (g.NextInt(3) == 0)
            {
                int a = g.NextInt(50), b = g.NextInt(50);
                sb.Append(g.NextInt(2) == 0 ? $"{a} + {b} = {a + b}.\n" : $"{Math.Max(a, b)} - {Math.Min(a, b)} = {Math.Abs(a - b)}.\n");
                continue;
            }
            string name = Pick(Names), friend = Pick(Names), animal = Pick(Animals), place = Pick(Places), thing = Pick(Things), feel = Pick(Feelings);
            sb.Append($"Once upon a time, {name} went to {place} with a {animal}. ");
            sb.Append($"There, {name} found {thing}. {name} felt {feel}. ");
            sb.Append(g.NextInt(2) == 0
                ? $"{name} showed {thing} to {friend}, and they played until the sun went down.\n"
                : $"The {animal} took {thing} and ran away, so {name} and {friend} looked for it all day.\n");
        }
        return sb.ToString();
    }
}
