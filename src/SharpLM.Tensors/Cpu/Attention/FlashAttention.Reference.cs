// FlashAttention reference: the materialised (non-tiled) definition the FlashAttention-2 style tiled
// online-softmax kernels are tested against. For each (batch, head) it builds the full Tq×Tk probability
// matrix in double precision, single-threaded, with the same masking, ALiBi and dropout-hash semantics.
// Slow and memory-hungry by design: tests and the benchmark's sanity checks only.
namespace SharpLM.Tensors.Cpu;

public static unsafe partial class FlashAttention
{
    /// <summary>Materialised double-precision reference forward (same arguments and semantics as <see cref="Forward"/>).</summary>
    public static void ReferenceForward(float* q, float* k, float* v, float* output, float* lse,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale,
        bool causal, float* alibiSlopes, float dropoutP, ulong seed, int* segments = null)
    {
        Validate(nameof(ReferenceForward), q, k, v, output, lse, batch, qHeads, kvHeads, tq, tk, headDim, scale, dropoutP);
        ValidateSegments(nameof(ReferenceForward), segments, tq, tk);
        long nq = (long)batch * qHeads * tq * headDim, nkv = (long)batch * kvHeads * tk * headDim;
        var o = new double[nq];
        var l = new double[(long)batch * qHeads * tq];
        ReferenceForwardCore(ToDouble(q, nq), ToDouble(k, nkv), ToDouble(v, nkv), alibiSlopes == null ? null : ToDouble(alibiSlopes, qHeads),
            o, l, batch, qHeads, kvHeads, tq, tk, headDim, scale, causal, dropoutP, seed, Segments(segments, batch, tk));
        for (long i = 0; i < nq; i++) output[i] = (float)o[i];
        for (long i = 0; i < l.LongLength; i++) lse[i] = (float)l[i];
    }

    /// <summary>
    /// Materialised double-precision reference backward (same arguments and semantics as <see cref="Backward"/>).
    /// It recomputes the probabilities from q and k itself; <paramref name="output"/> and <paramref name="lse"/> are only validated.
    /// </summary>
    public static void ReferenceBackward(float* q, float* k, float* v, float* output, float* lse, float* dOut,
        float* dq, float* dk, float* dv,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale,
        bool causal, float* alibiSlopes, float dropoutP, ulong seed, int* segments = null)
    {
        Validate(nameof(ReferenceBackward), q, k, v, output, lse, batch, qHeads, kvHeads, tq, tk, headDim, scale, dropoutP);
        ValidateBackward(dOut, dq, dk, dv);
        ValidateSegments(nameof(ReferenceBackward), segments, tq, tk);
        long nq = (long)batch * qHeads * tq * headDim, nkv = (long)batch * kvHeads * tk * headDim;
        var gq = new double[nq];
        var gk = new double[nkv];
        var gv = new double[nkv];
        ReferenceBackwardCore(ToDouble(q, nq), ToDouble(k, nkv), ToDouble(v, nkv), alibiSlopes == null ? null : ToDouble(alibiSlopes, qHeads),
            ToDouble(dOut, nq), gq, gk, gv, batch, qHeads, kvHeads, tq, tk, headDim, scale, causal, dropoutP, seed, Segments(segments, batch, tk));
        for (long i = 0; i < nq; i++) dq[i] = (float)gq[i];
        for (long i = 0; i < nkv; i++) { dk[i] = (float)gk[i]; dv[i] = (float)gv[i]; }
    }

    private static int[]? Segments(int* p, int batch, int tk) => p == null ? null : new ReadOnlySpan<int>(p, batch * tk).ToArray();

    private static double[] ToDouble(float* p, long n)
    {
        var a = new double[n];
        for (long i = 0; i < n; i++) a[i] = p[i];
        return a;
    }

    /// <summary>Probabilities (undropped) P [tq, tk] and lse [tq] of one (b, h), in double.</summary>
    private static void ReferenceProbs(double[] q, double[] k, double[]? alibi, int b, int h, int qHeads, int kvHeads,
        int tq, int tk, int d, double scale, bool causal, double[] p, double[] lse, int[]? seg)
    {
        int kvh = h / (qHeads / kvHeads);
        long qb = ((long)b * qHeads + h) * tq * d, kb = ((long)b * kvHeads + kvh) * tk * d;
        int off = tk - tq;
        for (int i = 0; i < tq; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < tk; j++)
            {
                double s = double.NegativeInfinity;
                if ((!causal || j <= i + off) && (seg == null || seg[(long)b * tk + j] == seg[(long)b * tk + i + off]))
                {
                    s = 0;
                    for (int x = 0; x < d; x++) s += q[qb + (long)i * d + x] * k[kb + (long)j * d + x];
                    s *= scale;
                    if (alibi != null) s += alibi[h] * (j - i - off);
                }
                p[(long)i * tk + j] = s;
                if (s > max) max = s;
            }
            if (double.IsNegativeInfinity(max))
            {
                for (int j = 0; j < tk; j++) p[(long)i * tk + j] = 0;
                lse[i] = double.NegativeInfinity;
                continue;
            }
            double sum = 0;
            for (int j = 0; j < tk; j++)
            {
                double e = Math.Exp(p[(long)i * tk + j] - max);
                p[(long)i * tk + j] = e;
                sum += e;
            }
            for (int j = 0; j < tk; j++) p[(long)i * tk + j] /= sum;
            lse[i] = max + Math.Log(sum);
        }
    }

    private static double DropoutFactor(float dropoutP, ulong seed, int b, int h, int i, int j)
        => dropoutP <= 0f ? 1.0 : DropoutUniform(seed, b, h, i, j) >= dropoutP ? 1.0 / (1.0 - dropoutP) : 0.0;

    /// <summary>Double-precision reference forward on managed arrays (also used by the finite-difference test).</summary>
    internal static void ReferenceForwardCore(double[] q, double[] k, double[] v, double[]? alibi, double[] output, double[] lse,
        int batch, int qHeads, int kvHeads, int tq, int tk, int d, double scale, bool causal, float dropoutP, ulong seed, int[]? seg = null)
    {
        var p = new double[(long)tq * tk];
        var l = new double[tq];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < qHeads; h++)
            {
                ReferenceProbs(q, k, alibi, b, h, qHeads, kvHeads, tq, tk, d, scale, causal, p, l, seg);
                int kvh = h / (qHeads / kvHeads);
                long ob = ((long)b * qHeads + h) * tq * d, vb = ((long)b * kvHeads + kvh) * tk * d;
                for (int i = 0; i < tq; i++)
                {
                    lse[((long)b * qHeads + h) * tq + i] = l[i];
                    for (int x = 0; x < d; x++) output[ob + (long)i * d + x] = 0;
                    for (int j = 0; j < tk; j++)
                    {
                        double w = p[(long)i * tk + j];
                        if (w == 0) continue;
                        w *= DropoutFactor(dropoutP, seed, b, h, i, j);
                        for (int x = 0; x < d; x++) output[ob + (long)i * d + x] += w * v[vb + (long)j * d + x];
                    }
                }
            }
    }

    /// <summary>Double-precision reference backward on managed arrays; overwrites dq, dk, dv.</summary>
    internal static void ReferenceBackwardCore(double[] q, double[] k, double[] v, double[]? alibi, double[] dOut,
        double[] dq, double[] dk, double[] dv,
        int batch, int qHeads, int kvHeads, int tq, int tk, int d, double scale, bool causal, float dropoutP, ulong seed, int[]? seg = null)
    {
        Array.Clear(dq); Array.Clear(dk); Array.Clear(dv);
        var p = new double[(long)tq * tk];
        var l = new double[tq];
        var dPd = new double[tk];
        var z = new double[tk];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < qHeads; h++)
            {
                ReferenceProbs(q, k, alibi, b, h, qHeads, kvHeads, tq, tk, d, scale, causal, p, l, seg);
                int kvh = h / (qHeads / kvHeads);
                long qb = ((long)b * qHeads + h) * tq * d, kb = ((long)b * kvHeads + kvh) * tk * d;
                for (int i = 0; i < tq; i++)
                {
                    double di = 0;
                    for (int j = 0; j < tk; j++)
                    {
                        z[j] = DropoutFactor(dropoutP, seed, b, h, i, j);
                        double g = 0;
                        for (int x = 0; x < d; x++) g += dOut[qb + (long)i * d + x] * v[kb + (long)j * d + x];
                        dPd[j] = g;
                        di += p[(long)i * tk + j] * z[j] * g;
                    }
                    for (int j = 0; j < tk; j++)
                    {
                        double pij = p[(long)i * tk + j];
                        if (pij == 0) continue;
                        double pd = pij * z[j];
                        double ds = scale * pij * (dPd[j] * z[j] - di);
                        for (int x = 0; x < d; x++)
                        {
                            dq[qb + (long)i * d + x] += ds * k[kb + (long)j * d + x];
                            dk[kb + (long)j * d + x] += ds * q[qb + (long)i * d + x];
                            dv[kb + (long)j * d + x] += pd * dOut[qb + (long)i * d + x];
                        }
                    }
                }
            }
    }
}
