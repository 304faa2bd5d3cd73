// DecoderLayout: the parameter names and shapes of a decoder config, computed without allocating any
// weights, so full-size models (7B, 13B) can be counted and sized. A test checks it against the names
// and shapes that DecoderModel actually registers for small configs.
namespace SharpLM.Models.Transformer;

/// <summary>Parameter table of a decoder configuration.</summary>
public static class DecoderLayout
{
    /// <summary>(name, shape) of every parameter, in registration order.</summary>
    public static IEnumerable<(string Name, int[] Shape)> Parameters(DecoderConfig c)
    {
        var n = DecoderNames.For(c.Family);
        int kv = c.KvHeads * c.HeadDim;
        bool ln = c.Norm == Modules.NormKind.LayerNorm;
        int[] W(int i, int o) => n.Conv1D ? [i, o] : [o, i];
        IEnumerable<(string, int[])> Norm(string p) => ln ? [($"{p}.weight", [c.Dim]), ($"{p}.bias", [c.Dim])] : [($"{p}.weight", [c.Dim])];
        IEnumerable<(string, int[])> Lin(string p, int i, int o, bool bias) => bias ? [($"{p}.weight", W(i, o)), ($"{p}.bias", [o])] : [($"{p}.weight", W(i, o))];

        yield return ($"{n.Embed}.weight", [c.VocabSize, c.Dim]);
        if (c.Positions == PositionKind.Learned) yield return ($"{n.PositionEmbed}.weight", [c.MaxPositions, c.Dim]);
        for (int l = 0; l < c.Layers; l++)
        {
            string p = string.Format(n.Layer, l) + ".";
            var items = Norm(p + n.AttnNorm)
                .Concat(n.FusedQkv is { } f ? Lin(p + f, c.Dim, c.AttnDim + 2 * kv, c.QkvBias)
                    : Lin(p + n.Q, c.Dim, c.AttnDim, c.QkvBias).Concat(Lin(p + n.K, c.Dim, kv, c.QkvBias)).Concat(Lin(p + n.V, c.Dim, kv, c.QkvBias)))
                .Concat(Lin(p + n.O, c.AttnDim, c.Dim, c.ProjBias))
                .Concat(c.QkHeadNorm ? [($"{p}{n.QNorm}.weight", [c.HeadDim]), ($"{p}{n.KNorm}.weight", [c.HeadDim])] : Array.Empty<(string, int[])>())
                .Concat(Norm(p + n.FfnNorm))
                .Concat(c.Mlp == MlpKind.SwiGlu ? Lin(p + n.Gate, c.Dim, c.FfnDim, c.ProjBias) : [])
                .Concat(Lin(p + n.Up, c.Dim, c.FfnDim, c.ProjBias))
                .Concat(Lin(p + n.Down, c.FfnDim, c.Dim, c.ProjBias));
            foreach (var it in items) yield return it;
        }
        foreach (var it in Norm(n.FinalNorm)) yield return it;
        if (!c.TiedEmbeddings) yield return ($"{n.LmHead}.weight", [c.VocabSize, c.Dim]);
    }

    /// <summary>Total parameter count.</summary>
    public static long Count(DecoderConfig c) => Parameters(c).Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
}
