// LlamaRopePermute: ToGguf/FromGguf are inverses, and they map HF "halves" RoPE onto Meta/GGUF "pairs" RoPE:
// rotating W_gguf·x in the pairs layout equals permuting the halves-rotated W_hf·x.
using Xunit;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Tests.Formats;

public class LlamaRopePermuteTests
{
    [Fact]
    public void ToGgufAndFromGgufAreInverse()
    {
        using var w = Tensor.Randn([4 * 8, 6], new Generator(1));
        using var g = LlamaRopePermute.ToGguf(w, 4);
        using var back = LlamaRopePermute.FromGguf(g, 4);
        Assert.Equal(w.ToArray(), back.ToArray());
        Assert.NotEqual(w.ToArray(), g.ToArray());
    }

    [Fact]
    public void RowMappingWithinAHead()
    {
        // One head of dim 4: HF rows [a0, a1, b0, b1] (pairs (a0,b0), (a1,b1)) become [a0, b0, a1, b1].
        using var w = Tensor.FromArray([0f, 1, 2, 3], 4, 1);
        using var g = LlamaRopePermute.ToGguf(w, 1);
        Assert.Equal([0f, 2, 1, 3], g.ToArray());
    }

    [Fact]
    public void HalvesRotationOfHfWeightsEqualsPairsRotationOfGgufWeights()
    {
        const int heads = 3, hd = 8, dim = 10, pos = 5;
        using var whf = Tensor.Randn([heads * hd, dim], new Generator(3));
        using var wg = LlamaRopePermute.ToGguf(whf, heads);
        var x = new float[dim];
        var rng = new Random(4);
        for (int i = 0; i < dim; i++) x[i] = (float)rng.NextDouble() - 0.5f;

        var qHf = MatVec(whf.ToArray(), x, heads * hd);
        var qG = MatVec(wg.ToArray(), x, heads * hd);
        var rHf = new double[qHf.Length];
        var rG = new double[qG.Length];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < hd / 2; i++)
            {
                double theta = pos * Math.Pow(10000, -2.0 * i / hd), c = Math.Cos(theta), s = Math.Sin(theta);
                int a = h * hd + i, b = h * hd + i + hd / 2;                 // halves layout pair
                rHf[a] = qHf[a] * c - qHf[b] * s;
                rHf[b] = qHf[b] * c + qHf[a] * s;
                int p = h * hd + 2 * i, q = p + 1;                           // interleaved layout pair
                rG[p] = qG[p] * c - qG[q] * s;
                rG[q] = qG[q] * c + qG[p] * s;
            }
        using var rHfT = Tensor.FromArray(rHf.Select(v => (float)v).ToArray(), heads * hd);
        using var permuted = LlamaRopePermute.ToGguf(rHfT, heads);
        var expect = permuted.ToArray();
        for (int i = 0; i < expect.Length; i++) Assert.Equal(expect[i], rG[i], 1e-5);
    }

    private static double[] MatVec(float[] w, float[] x, int rows)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < x.Length; c++) y[r] += (double)w[r * x.Length + c] * x[c];
        return y;
    }
}
