// Tests for the FlashAttention-2 style tiled online-softmax kernels: fused forward/backward against the
// materialised double-precision reference, a finite-difference check of the reference backward itself,
// dropout mask semantics, determinism and argument validation.
using SharpLM.Tensors.Cpu;
using Xunit;

namespace SharpLM.Tensors.Tests;

public unsafe class FlashAttentionTests
{
    private const double Tol = 1e-5;

    private sealed class Problem
    {
        public int B, Hq, Hkv, Tq, Tk, D;
        public bool Causal;
        public float DropP;
        public ulong Seed = 1234;
        public float[]? Alibi;
        public float[] Q = [], K = [], V = [], DOut = [];
        public float Scale => 1f / MathF.Sqrt(D);
        public int NQ => B * Hq * Tq * D;
        public int NKV => B * Hkv * Tk * D;
        public int NL => B * Hq * Tq;

        public static Problem Make(int b, int hq, int hkv, int tq, int tk, int d, bool causal,
            bool alibi = false, float dropP = 0f, int dataSeed = 7)
        {
            var r = new Random(dataSeed);
            var p = new Problem { B = b, Hq = hq, Hkv = hkv, Tq = tq, Tk = tk, D = d, Causal = causal, DropP = dropP };
            p.Q = Randn(p.NQ, r); p.K = Randn(p.NKV, r); p.V = Randn(p.NKV, r); p.DOut = Randn(p.NQ, r);
            if (alibi)
            {
                p.Alibi = new float[hq];
                for (int h = 0; h < hq; h++) p.Alibi[h] = MathF.Pow(2f, -8f * (h + 1) / hq);
            }
            return p;
        }
    }

    private static float[] Randn(int n, Random r)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
            a[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    private static (float[] o, float[] lse) Fwd(Problem p, bool reference, ulong? seed = null)
    {
        var o = new float[p.NQ];
        var lse = new float[p.NL];
        fixed (float* q = p.Q, k = p.K, v = p.V, po = o, pl = lse, al = p.Alibi)
        {
            if (reference)
                FlashAttention.ReferenceForward(q, k, v, po, pl, p.B, p.Hq, p.Hkv, p.Tq, p.Tk, p.D, p.Scale, p.Causal, al, p.DropP, seed ?? p.Seed);
            else
                FlashAttention.Forward(q, k, v, po, pl, p.B, p.Hq, p.Hkv, p.Tq, p.Tk, p.D, p.Scale, p.Causal, al, p.DropP, seed ?? p.Seed);
        }
        return (o, lse);
    }

    private static (float[] dq, float[] dk, float[] dv) Bwd(Problem p, float[] o, float[] lse, bool reference)
    {
        var dq = new float[p.NQ];
        var dk = new float[p.NKV];
        var dv = new float[p.NKV];
        // Poison the outputs: Backward must overwrite them.
        Array.Fill(dq, float.NaN); Array.Fill(dk, float.NaN); Array.Fill(dv, float.NaN);
        fixed (float* q = p.Q, k = p.K, v = p.V, po = o, pl = lse, g = p.DOut, pdq = dq, pdk = dk, pdv = dv, al = p.Alibi)
        {
            if (reference)
                FlashAttention.ReferenceBackward(q, k, v, po, pl, g, pdq, pdk, pdv, p.B, p.Hq, p.Hkv, p.Tq, p.Tk, p.D, p.Scale, p.Causal, al, p.DropP, p.Seed);
            else
                FlashAttention.Backward(q, k, v, po, pl, g, pdq, pdk, pdv, p.B, p.Hq, p.Hkv, p.Tq, p.Tk, p.D, p.Scale, p.Causal, al, p.DropP, p.Seed);
        }
        return (dq, dk, dv);
    }

    private static void AssertClose(float[] expected, float[] actual, string what, double tol = Tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
            if (float.IsFinite(expected[i])) max = Math.Max(max, Math.Abs(expected[i]));
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNegativeInfinity(expected[i]))
            {
                Assert.True(float.IsNegativeInfinity(actual[i]), $"{what}[{i}]: expected -inf, got {actual[i]}");
                continue;
            }
            Assert.True(float.IsFinite(actual[i]), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
            double e = Math.Abs(expected[i] - actual[i]);
            if (e > worst) { worst = e; worstAt = i; }
        }
        double rel = worst / Math.Max(max, 1e-30);
        Assert.True(rel <= tol, $"{what}: max error {worst:E3} at {worstAt} (expected {(worstAt >= 0 ? expected[worstAt] : 0)}, got {(worstAt >= 0 ? actual[worstAt] : 0)}), relative {rel:E3} > {tol:E1}; max |ref| = {max:E3}");
    }

    private static void CompareFusedToReference(Problem p)
    {
        var (oRef, lseRef) = Fwd(p, reference: true);
        var (o, lse) = Fwd(p, reference: false);
        AssertClose(oRef, o, "out");
        AssertClose(lseRef, lse, "lse");
        var (dqRef, dkRef, dvRef) = Bwd(p, oRef, lseRef, reference: true);
        var (dq, dk, dv) = Bwd(p, o, lse, reference: false);
        AssertClose(dqRef, dq, "dq");
        AssertClose(dkRef, dk, "dk");
        AssertClose(dvRef, dv, "dv");
    }

    [Theory]
    [InlineData(2, 3, 3, 70, 16)]   // MHA causal, T not a multiple of the tile
    [InlineData(1, 2, 2, 33, 64)]
    [InlineData(1, 2, 2, 64, 8)]    // exactly one tile
    [InlineData(1, 1, 1, 200, 64)]  // several tiles, single kv head: chunked backward
    [InlineData(1, 2, 1, 129, 16)]
    public void MhaCausal(int b, int hq, int hkv, int t, int d)
        => CompareFusedToReference(Problem.Make(b, hq, hkv, t, t, d, causal: true));

    [Theory]
    [InlineData(33, 8)]
    [InlineData(70, 16)]
    [InlineData(70, 64)]
    public void Gqa(int t, int d) => CompareFusedToReference(Problem.Make(2, 4, 2, t, t, d, causal: true));

    [Theory]
    [InlineData(33, 16, true)]
    [InlineData(70, 64, true)]
    [InlineData(65, 8, false)]
    public void Mqa(int t, int d, bool causal) => CompareFusedToReference(Problem.Make(1, 4, 1, t, t, d, causal));

    [Theory]
    [InlineData(70, 70, 16)]
    [InlineData(33, 90, 64)]
    [InlineData(100, 20, 8)]
    public void NonCausal(int tq, int tk, int d) => CompareFusedToReference(Problem.Make(1, 2, 2, tq, tk, d, causal: false));

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    public void DecodeSingleQueryAgainstKvCache(int d)
        => CompareFusedToReference(Problem.Make(2, 4, 2, 1, 17, d, causal: true));

    [Theory]
    [InlineData(20, 100, 16)]
    [InlineData(70, 150, 64)]
    [InlineData(5, 130, 8)]
    public void ChunkedPrefill(int tq, int tk, int d) => CompareFusedToReference(Problem.Make(1, 4, 2, tq, tk, d, causal: true));

    [Fact]
    public void MoreQueriesThanKeysCausalGivesEmptyRows()
    {
        var p = Problem.Make(1, 2, 1, 10, 4, 16, causal: true);
        CompareFusedToReference(p);
        var (o, lse) = Fwd(p, reference: false);
        // Rows 0..5 see no key (j <= i - 6): zero output and lse = -inf.
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 10; i++)
            {
                bool empty = i < 6;
                Assert.Equal(empty, float.IsNegativeInfinity(lse[h * 10 + i]));
                if (empty)
                    for (int x = 0; x < 16; x++) Assert.Equal(0f, o[(h * 10 + i) * 16 + x]);
            }
    }

    [Theory]
    [InlineData(4, 4, 70, 70, 16, true)]
    [InlineData(4, 2, 33, 33, 64, true)]
    [InlineData(4, 2, 40, 90, 8, true)]
    [InlineData(2, 1, 50, 70, 16, false)]
    public void Alibi(int hq, int hkv, int tq, int tk, int d, bool causal)
        => CompareFusedToReference(Problem.Make(1, hq, hkv, tq, tk, d, causal, alibi: true));

    [Theory]
    [InlineData(1, 2, 2, 70, 70, 16, true, false)]
    [InlineData(2, 4, 2, 33, 33, 64, true, true)]
    [InlineData(1, 2, 1, 20, 90, 8, false, false)]
    public void DropoutMatchesReferenceWithSameSeed(int b, int hq, int hkv, int tq, int tk, int d, bool causal, bool alibi)
        => CompareFusedToReference(Problem.Make(b, hq, hkv, tq, tk, d, causal, alibi, dropP: 0.2f));

    [Fact]
    public void DropoutSeedControlsMask()
    {
        var p = Problem.Make(1, 2, 2, 70, 70, 16, causal: true, dropP: 0.2f);
        var (a, lseA) = Fwd(p, reference: false, seed: 42);
        var (b, lseB) = Fwd(p, reference: false, seed: 42);
        var (c, lseC) = Fwd(p, reference: false, seed: 43);
        Assert.Equal(a, b);
        Assert.Equal(lseA, lseB);
        Assert.NotEqual(a, c);
        Assert.Equal(lseA, lseC); // lse describes the undropped softmax
        // The mask drops about dropoutP of the entries.
        int dropped = 0, total = 0;
        for (int i = 0; i < 200; i++)
            for (int j = 0; j < 200; j++, total++)
                if (FlashAttention.DropoutUniform(99, 0, 1, i, j) < 0.2f) dropped++;
        Assert.InRange(dropped / (double)total, 0.19, 0.21);
        Assert.Equal(FlashAttention.DropoutUniform(5, 1, 2, 3, 4), FlashAttention.DropoutUniform(5, 1, 2, 3, 4));
        Assert.NotEqual(FlashAttention.DropoutUniform(5, 1, 2, 3, 4), FlashAttention.DropoutUniform(5, 1, 2, 4, 3));
    }

    [Fact]
    public void NoDropoutIgnoresSeed()
    {
        var p = Problem.Make(1, 2, 2, 33, 33, 16, causal: true);
        Assert.Equal(Fwd(p, false, 1).o, Fwd(p, false, 2).o);
    }

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0.3f)]
    public void ReferenceBackwardMatchesFiniteDifferences(bool causal, float dropP)
    {
        // Tiny GQA case with ALiBi; central differences in double through the reference forward, loss = Σ out∘G.
        int b = 1, hq = 2, hkv = 1, tq = 3, tk = 5, d = 4;
        var r = new Random(3);
        double[] Rd(int n) { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = r.NextDouble() * 2 - 1; return a; }
        int nq = b * hq * tq * d, nkv = b * hkv * tk * d;
        double[] q = Rd(nq), k = Rd(nkv), v = Rd(nkv), g = Rd(nq);
        double[] alibi = [0.5, 0.25];
        double scale = 0.7;
        ulong seed = 11;

        double Loss()
        {
            var o = new double[nq];
            var l = new double[b * hq * tq];
            FlashAttention.ReferenceForwardCore(q, k, v, alibi, o, l, b, hq, hkv, tq, tk, d, scale, causal, dropP, seed);
            double s = 0;
            for (int i = 0; i < nq; i++) s += o[i] * g[i];
            return s;
        }

        var dq = new double[nq];
        var dk = new double[nkv];
        var dv = new double[nkv];
        FlashAttention.ReferenceBackwardCore(q, k, v, alibi, g, dq, dk, dv, b, hq, hkv, tq, tk, d, scale, causal, dropP, seed);

        const double eps = 1e-6;
        void Check(double[] x, double[] grad, string name)
        {
            for (int i = 0; i < x.Length; i++)
            {
                double keep = x[i];
                x[i] = keep + eps; double lp = Loss();
                x[i] = keep - eps; double lm = Loss();
                x[i] = keep;
                double fd = (lp - lm) / (2 * eps);
                Assert.True(Math.Abs(fd - grad[i]) < 1e-7, $"{name}[{i}]: finite difference {fd}, analytic {grad[i]}");
            }
        }
        Check(q, dq, "dq");
        Check(k, dk, "dk");
        Check(v, dv, "dv");
    }

    [Fact]
    public void BackwardIsDeterministic()
    {
        foreach (var p in new[]
                 {
                     Problem.Make(1, 2, 1, 300, 300, 64, causal: true, alibi: true, dropP: 0.1f), // chunked dq path
                     Problem.Make(2, 6, 6, 150, 150, 16, causal: true),
                 })
        {
            var (o1, l1) = Fwd(p, false);
            var (o2, l2) = Fwd(p, false);
            Assert.Equal(o1, o2);
            Assert.Equal(l1, l2);
            var a = Bwd(p, o1, l1, false);
            var c = Bwd(p, o1, l1, false);
            Assert.Equal(a.dq, c.dq);
            Assert.Equal(a.dk, c.dk);
            Assert.Equal(a.dv, c.dv);
        }
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        var buf = new float[4096];
        fixed (float* x = buf)
        {
            void Expect(string arg, Action call)
            {
                var e = Assert.Throws<ArgumentException>(call);
                Assert.Contains("FlashAttention", e.Message);
                Assert.Equal(arg, e.ParamName);
            }
            float* p = x;
            Expect("kvHeads", () => FlashAttention.Forward(p, p, p, p, p, 1, 3, 2, 4, 4, 8, 1f, true, null, 0f, 0));
            Expect("headDim", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 4, 4, 0, 1f, true, null, 0f, 0));
            Expect("dropoutP", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 4, 4, 8, 1f, true, null, 1f, 0));
            Expect("dropoutP", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 4, 4, 8, 1f, true, null, -0.1f, 0));
            Expect("dropoutP", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 4, 4, 8, 1f, true, null, float.NaN, 0));
            Expect("batch", () => FlashAttention.Forward(p, p, p, p, p, 0, 2, 2, 4, 4, 8, 1f, true, null, 0f, 0));
            Expect("tq", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 0, 4, 8, 1f, true, null, 0f, 0));
            Expect("tk", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 4, -1, 8, 1f, true, null, 0f, 0));
            Expect("scale", () => FlashAttention.Forward(p, p, p, p, p, 1, 2, 2, 4, 4, 8, float.NaN, true, null, 0f, 0));
            Expect("q", () => FlashAttention.Forward(null, p, p, p, p, 1, 2, 2, 4, 4, 8, 1f, true, null, 0f, 0));
            Expect("kvHeads", () => FlashAttention.Backward(p, p, p, p, p, p, p, p, p, 1, 3, 2, 4, 4, 8, 1f, true, null, 0f, 0));
            Expect("dq", () => FlashAttention.Backward(p, p, p, p, p, p, null, p, p, 1, 2, 2, 4, 4, 8, 1f, true, null, 0f, 0));
            Expect("headDim", () => FlashAttention.ReferenceForward(p, p, p, p, p, 1, 2, 2, 4, 4, -3, 1f, true, null, 0f, 0));
            Expect("dropoutP", () => FlashAttention.ReferenceBackward(p, p, p, p, p, p, p, p, p, 1, 2, 2, 4, 4, 8, 1f, true, null, 1.5f, 0));
        }
    }
}
