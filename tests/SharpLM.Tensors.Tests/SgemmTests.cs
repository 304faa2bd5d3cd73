// SgemmTests: checks Sgemm against the double-accumulating Reference for every transpose combination,
// odd shapes, padded leading dimensions, accumulate on/off, batched with broadcast operands, the GEMV
// path, every ISA kernel (AVX-512, AVX2, scalar), argument validation and run-to-run determinism.
using SharpLM.Tensors.Cpu;
using Xunit;

namespace SharpLM.Tensors.Tests;

public unsafe class SgemmTests
{
    public static IEnumerable<object[]> Shapes()
    {
        int[][] shapes =
        [
            [1, 1, 1], [7, 13, 5], [33, 65, 17], [130, 67, 300], [1, 300, 77], [1, 33, 5], [2, 40, 9],
            [17, 1, 29], [64, 64, 64], [9, 700, 520],
        ];
        foreach (var s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return [s[0], s[1], s[2], ta, tb];
    }

    public static IEnumerable<object[]> Levels() => [[IsaLevel.Avx512], [IsaLevel.Avx2], [IsaLevel.Scalar]];

    private sealed class Case
    {
        public int M, N, K, Lda, Ldb, Ldc;
        public bool TA, TB;
        public float[] A = [], B = [], C0 = [];

        public static Case Make(int m, int n, int k, bool ta, bool tb, int pad, int seed)
        {
            var rng = new Random(seed);
            var cs = new Case { M = m, N = n, K = k, TA = ta, TB = tb };
            cs.Lda = (ta ? m : k) + pad;
            cs.Ldb = (tb ? k : n) + pad;
            cs.Ldc = n + pad;
            int aRows = ta ? k : m, bRows = tb ? n : k;
            cs.A = Fill(rng, Math.Max(1, aRows * cs.Lda));
            cs.B = Fill(rng, Math.Max(1, bRows * cs.Ldb));
            cs.C0 = Fill(rng, Math.Max(1, m * cs.Ldc));
            return cs;
        }

        public float At(int i, int p) => TA ? A[p * Lda + i] : A[i * Lda + p];
        public float Bt(int p, int j) => TB ? B[j * Ldb + p] : B[p * Ldb + j];
    }

    private static float[] Fill(Random rng, int len)
    {
        var x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Runs the product with the given runner and checks every element against Reference.</summary>
    private static void Check(Case cs, bool accumulate, Action<Case, float[]> runner)
    {
        var want = (float[])cs.C0.Clone();
        var got = (float[])cs.C0.Clone();
        fixed (float* a = cs.A, b = cs.B, w = want)
            Sgemm.Reference(cs.TA, cs.TB, cs.M, cs.N, cs.K, a, cs.Lda, b, cs.Ldb, w, cs.Ldc, accumulate);
        runner(cs, got);
        for (int i = 0; i < cs.M; i++)
        {
            for (int j = 0; j < cs.Ldc; j++)
            {
                int idx = i * cs.Ldc + j;
                if (j >= cs.N)
                {
                    Assert.True(got[idx] == cs.C0[idx], $"padding C[{i},{j}] was overwritten");
                    continue;
                }
                double bound = accumulate ? Math.Abs(cs.C0[idx]) : 0;
                for (int p = 0; p < cs.K; p++) bound += Math.Abs((double)cs.At(i, p) * cs.Bt(p, j));
                double tol = 1e-5 * bound + 1e-30;
                double err = Math.Abs((double)got[idx] - want[idx]);
                Assert.True(err <= tol,
                    $"{cs.M}x{cs.N}x{cs.K} tA={cs.TA} tB={cs.TB} acc={accumulate}: C[{i},{j}] = {got[idx]}, want {want[idx]} (err {err:g3} > {tol:g3})");
            }
        }
    }

    private static Action<Case, float[]> Runner(IsaLevel? level) => (cs, c) =>
    {
        fixed (float* a = cs.A, b = cs.B, cp = c)
        {
            if (level is { } l) Sgemm.RunWithLevel(l, cs.TA, cs.TB, cs.M, cs.N, cs.K, a, cs.Lda, b, cs.Ldb, cp, cs.Ldc, false);
            else Sgemm.Run(cs.TA, cs.TB, cs.M, cs.N, cs.K, a, cs.Lda, b, cs.Ldb, cp, cs.Ldc, false);
        }
    };

    private static Action<Case, float[]> AccRunner(IsaLevel? level) => (cs, c) =>
    {
        fixed (float* a = cs.A, b = cs.B, cp = c)
        {
            if (level is { } l) Sgemm.RunWithLevel(l, cs.TA, cs.TB, cs.M, cs.N, cs.K, a, cs.Lda, b, cs.Ldb, cp, cs.Ldc, true);
            else Sgemm.Run(cs.TA, cs.TB, cs.M, cs.N, cs.K, a, cs.Lda, b, cs.Ldb, cp, cs.Ldc, true);
        }
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesReference_TightAndPadded(int m, int n, int k, bool ta, bool tb)
    {
        foreach (int pad in new[] { 0, 3 })
        {
            var cs = Case.Make(m, n, k, ta, tb, pad, seed: m * 7919 + n * 31 + k + pad);
            Check(cs, false, Runner(null));
            Check(cs, true, AccRunner(null));
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EveryKernelMatchesReference(IsaLevel level)
    {
        foreach (var row in Shapes())
        {
            int m = (int)row[0], n = (int)row[1], k = (int)row[2];
            bool ta = (bool)row[3], tb = (bool)row[4];
            var cs = Case.Make(m, n, k, ta, tb, pad: 1, seed: 17 + m + n + k);
            Check(cs, false, Runner(level));
            Check(cs, true, AccRunner(level));
        }
    }

    [Fact]
    public void Avx2KernelIsAvailableHere()
    {
        // The AVX2 kernel is the production path on CPUs without AVX-512; make sure this machine can run it.
        Assert.True(CpuIsa.HasAvx2Fma, "this test machine should support AVX2+FMA");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KZero_ClearsOrKeeps(bool accumulate)
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        var a = new float[1];
        var b = new float[1];
        fixed (float* ap = a, bp = b, cp = c)
            Sgemm.Run(false, false, 2, 3, 0, ap, 0, bp, 3, cp, 3, accumulate);
        Assert.Equal(accumulate ? new float[] { 1, 2, 3, 4, 5, 6 } : new float[6], c);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Gemv_LmHeadShape(bool ta, bool tb)
    {
        var cs = Case.Make(1, 1000, 768, ta, tb, pad: 0, seed: 5);
        Check(cs, false, Runner(null));
        Check(cs, true, AccRunner(null));
        Check(cs, true, AccRunner(IsaLevel.Avx2));
        Check(cs, false, Runner(IsaLevel.Scalar));
    }

    [Theory]
    [InlineData(24, 64, 64, 64, false, false, false)]
    [InlineData(5, 33, 65, 17, true, false, true)]
    [InlineData(3, 130, 67, 30, false, true, false)]
    [InlineData(4, 1, 100, 40, true, true, true)]
    [InlineData(2, 300, 520, 260, false, false, false)]
    public void Batched_MatchesPerEntryReference(int batch, int m, int n, int k, bool ta, bool tb, bool broadcastB)
    {
        foreach (var level in new[] { CpuIsa.Level, IsaLevel.Avx2 })
        {
            var rng = new Random(batch * 1000 + m);
            int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
            long sa = (long)(ta ? k : m) * lda + 5, sb = broadcastB ? 0 : (long)(tb ? n : k) * ldb + 7, sc = (long)m * ldc + 1;
            var A = Fill(rng, (int)(sa * batch));
            var B = Fill(rng, (int)(broadcastB ? (tb ? n : k) * ldb : sb * batch));
            var C0 = Fill(rng, (int)(sc * batch));
            foreach (bool acc in new[] { false, true })
            {
                var got = (float[])C0.Clone();
                var want = (float[])C0.Clone();
                fixed (float* a = A, b = B, g = got, w = want)
                {
                    Sgemm.RunBatchedWithLevel(level, batch, ta, tb, m, n, k, a, lda, sa, b, ldb, sb, g, ldc, sc, acc);
                    for (int i = 0; i < batch; i++)
                        Sgemm.Reference(ta, tb, m, n, k, a + i * sa, lda, b + i * sb, ldb, w + i * sc, ldc, acc);
                }
                for (int i = 0; i < batch; i++)
                    for (int r = 0; r < m; r++)
                        for (int j = 0; j < n; j++)
                        {
                            long idx = i * sc + (long)r * ldc + j;
                            double bound = acc ? Math.Abs(C0[idx]) : 0;
                            for (int p = 0; p < k; p++)
                            {
                                float av = ta ? A[i * sa + (long)p * lda + r] : A[i * sa + (long)r * lda + p];
                                float bv = tb ? B[i * sb + (long)j * ldb + p] : B[i * sb + (long)p * ldb + j];
                                bound += Math.Abs((double)av * bv);
                            }
                            Assert.True(Math.Abs(got[idx] - want[idx]) <= 1e-5 * bound + 1e-30,
                                $"batch {i} C[{r},{j}] = {got[idx]}, want {want[idx]} ({level}, acc={acc})");
                        }
                // Bytes between the batch entries' outputs are untouched.
                for (int i = 0; i < batch; i++)
                    for (int r = 0; r < m; r++)
                        for (int j = n; j < ldc && i * sc + (long)r * ldc + j < got.Length; j++)
                        {
                            long idx = i * sc + (long)r * ldc + j;
                            if (r == m - 1 && j >= n) { if (idx < (i + 1) * sc) Assert.Equal(C0[idx], got[idx]); }
                            else Assert.Equal(C0[idx], got[idx]);
                        }
            }
        }
    }

    [Fact]
    public void Deterministic_BitIdenticalAcrossRuns()
    {
        foreach (var (m, n, k) in new[] { (300, 700, 900), (1, 5000, 700), (77, 1000, 33) })
        {
            var cs = Case.Make(m, n, k, false, true, pad: 0, seed: 99);
            var c1 = new float[cs.C0.Length];
            var c2 = new float[cs.C0.Length];
            Runner(null)(cs, c1);
            Runner(null)(cs, c2);
            Assert.Equal(c1, c2);
            AccRunner(null)(cs, c1);
            AccRunner(null)(cs, c2);
            Assert.Equal(c1, c2);
        }
    }

    [Fact]
    public void BadArguments_Throw()
    {
        var buf = new float[64];
        fixed (float* p = buf)
        {
            float* q = p;
            AssertThrows("m", () => Sgemm.Run(false, false, -1, 2, 2, q, 2, q, 2, q, 2, false));
            AssertThrows("n", () => Sgemm.Run(false, false, 2, -1, 2, q, 2, q, 2, q, 2, false));
            AssertThrows("k", () => Sgemm.Run(false, false, 2, 2, -3, q, 2, q, 2, q, 2, false));
            AssertThrows("lda", () => Sgemm.Run(false, false, 2, 3, 4, q, 3, q, 3, q, 3, false));
            AssertThrows("lda", () => Sgemm.Run(true, false, 5, 3, 4, q, 4, q, 3, q, 3, false));
            AssertThrows("ldb", () => Sgemm.Run(false, false, 2, 3, 4, q, 4, q, 2, q, 3, false));
            AssertThrows("ldb", () => Sgemm.Run(false, true, 2, 3, 4, q, 4, q, 3, q, 3, false));
            AssertThrows("ldc", () => Sgemm.Run(false, false, 2, 3, 4, q, 4, q, 3, q, 2, false));
            AssertThrows("a", () => Sgemm.Run(false, false, 2, 3, 4, null, 4, q, 3, q, 3, false));
            AssertThrows("b", () => Sgemm.Run(false, false, 2, 3, 4, q, 4, null, 3, q, 3, false));
            AssertThrows("c", () => Sgemm.Run(false, false, 2, 3, 4, q, 4, q, 3, null, 3, false));
            AssertThrows("batch", () => Sgemm.RunBatched(-1, false, false, 2, 3, 4, q, 4, 0, q, 3, 0, q, 3, 6, false));
            AssertThrows("strideC", () => Sgemm.RunBatched(2, false, false, 2, 3, 4, q, 4, 0, q, 3, 0, q, 3, 0, false));
            AssertThrows("strideA", () => Sgemm.RunBatched(2, false, false, 2, 3, 4, q, 4, -8, q, 3, 0, q, 3, 6, false));
            // Empty products are fine even with null pointers.
            Sgemm.Run(false, false, 0, 0, 0, null, 0, null, 0, null, 0, false);
            Sgemm.Run(false, false, 2, 3, 0, null, 0, null, 3, q, 3, false);
        }
    }

    private static void AssertThrows(string param, Action act)
    {
        var e = Assert.Throws<ArgumentException>(act);
        Assert.Equal(param, e.ParamName);
        Assert.Contains("Sgemm", e.Message);
        Assert.Contains(param, e.Message);
    }
}
