// QuantGemmPack: QuantGemm's packed layout — 16 weight rows interleaved so each int32 lane of a Vector512 is
// one row (see QuantGemm.cs for the layout per type) — built from the stored GGUF blocks: per call for a
// 16-row panel (Pack) or once for a whole matrix at engine load (PackAll, groups in parallel).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Inference.Engine;

internal static unsafe partial class QuantGemm
{
    /// <summary>Packs rows [r0, r0 + rows) as one 16-row group; missing rows are zero (weights and scales).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int blocks = m.Cols / 32, bb = BlockBytes(m.Type);
        if (rows < Lanes) NativeMemory.Clear(panel, (nuint)((long)blocks * bb));
        if (m.Type == GgmlType.Q4_K) { PackQ4K(m, r0, rows, panel); return; }
        if (m.Type == GgmlType.Q6_K) { PackQ6K(m, r0, rows, panel); return; }
        if (m.Type == GgmlType.Q5_K) { PackQ5K(m, r0, rows, panel); return; }
        bool q4 = m.Type == GgmlType.Q4_0;
        int quantBytes = bb - Lanes * sizeof(float);
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int b = 0; b < blocks; b++)
            {
                byte* dst = panel + (long)b * bb;
                byte* p = src + b * (q4 ? 18 : 34);
                uint* vals = (uint*)(p + 2);                                   // 4 stored bytes per step (pair)
                for (int s = 0; s < quantBytes / StepBytes; s++) ((uint*)(dst + s * StepBytes))[l] = vals[s];
                ((float*)(dst + quantBytes))[l] = Fp16.Table[*(ushort*)p];
            }
        }
    }

    /// <summary>
    /// Q4_K: each 32-value sub-block becomes one packed block in Q4_0's nibble order (byte k: value k low, k + 16
    /// high) with scale d·sc and min d_min·m — the same f32 products GgmlKQuant forms — so x = scale·q − min.
    /// </summary>
    private static void PackQ4K(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(GgmlType.Q4_K), quantBytes = Steps / 2 * StepBytes;
        byte* q16 = stackalloc byte[16];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / 256; sb++)
            {
                byte* p = src + sb * 144;
                float d = Fp16.Table[*(ushort*)p], dmin = Fp16.Table[*(ushort*)(p + 2)];
                for (int j = 0; j < 8; j++) // sub-block j: nibbles of qs[32·(j/2) + i], low for even j, high for odd
                {
                    byte* qs = p + 16 + 32 * (j / 2);
                    int shift = (j & 1) * 4;
                    for (int k = 0; k < 16; k++) q16[k] = (byte)(((qs[k] >> shift) & 0xF) | (((qs[k + 16] >> shift) & 0xF) << 4));
                    var (sc, mn) = KScaleMin(p + 4, j);
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < Steps / 2; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)q16)[s];
                    ((float*)(dst + quantBytes))[l] = d * sc;
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = dmin * mn;
                }
            }
        }
    }

    /// <summary>Q5_K: each 32-value sub-block as unsigned bytes 0..31 (Q8_0's step layout) with its scale d·sc and min d_min·m.</summary>
    private static void PackQ5K(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(GgmlType.Q5_K), quantBytes = Steps * StepBytes;
        byte* v = stackalloc byte[32];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / 256; sb++)
            {
                byte* p = src + sb * 176, qh = p + 16;
                float d = Fp16.Table[*(ushort*)p], dmin = Fp16.Table[*(ushort*)(p + 2)];
                for (int j = 0; j < 8; j++) // sub-block j: nibble of qs[32·(j/2) + i] (low for even j) plus bit j of qh[i] as 16
                {
                    byte* qs = p + 48 + 32 * (j / 2);
                    int shift = (j & 1) * 4;
                    for (int i = 0; i < 32; i++) v[i] = (byte)(((qs[i] >> shift) & 0xF) | (((qh[i] >> j) & 1) << 4));
                    var (sc, mn) = KScaleMin(p + 4, j);
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < Steps; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)v)[s];
                    ((float*)(dst + quantBytes))[l] = d * sc;
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = dmin * mn;
                }
            }
        }
    }

    /// <summary>
    /// Q6_K: each 32 values become one packed block of signed bytes q − 32 (Q8_0's step layout) with two scales
    /// d·sc (values 0–15, then 16–31), the f32 products GgmlKQuant forms.
    /// </summary>
    private static void PackQ6K(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(GgmlType.Q6_K), quantBytes = Steps * StepBytes;
        sbyte* v = stackalloc sbyte[256];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / 256; sb++)
            {
                byte* p = src + sb * 210;
                float d = Fp16.Table[*(ushort*)(p + 208)];
                for (int half = 0; half < 2; half++)
                {
                    byte* ql = p + 64 * half, qh = p + 128 + 32 * half;
                    sbyte* o = v + 128 * half;
                    for (int i = 0; i < 32; i++)
                    {
                        o[i] = (sbyte)(((ql[i] & 0xF) | ((qh[i] & 3) << 4)) - 32);
                        o[i + 32] = (sbyte)(((ql[i + 32] & 0xF) | (((qh[i] >> 2) & 3) << 4)) - 32);
                        o[i + 64] = (sbyte)(((ql[i] >> 4) | (((qh[i] >> 4) & 3) << 4)) - 32);
                        o[i + 96] = (sbyte)(((ql[i + 32] >> 4) | (((qh[i] >> 6) & 3) << 4)) - 32);
                    }
                }
                sbyte* sc = (sbyte*)(p + 192); // one scale per 16 values
                for (int j = 0; j < 8; j++)
                {
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < Steps; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)(v + 32 * j))[s];
                    ((float*)(dst + quantBytes))[l] = d * sc[2 * j];
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = d * sc[2 * j + 1];
                }
            }
        }
    }

    /// <summary>The 6-bit (scale, min) of Q4_K sub-block <paramref name="j"/> from its 12 packed bytes (as GgmlKQuant).</summary>
    private static (int Scale, int Min) KScaleMin(byte* s, int j) => j < 4
        ? (s[j] & 63, s[j + 4] & 63)
        : ((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4));

    private struct PackJob
    {
        public WeightMatrix M;
        public byte* Dst;
    }

    /// <summary>Packs all of <paramref name="m"/> into <paramref name="dst"/> (<see cref="PackedBytes"/> bytes), groups in parallel.</summary>
    public static void PackAll(in WeightMatrix m, byte* dst)
    {
        if (!(m.IsQuantized || m.Type is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K)) throw new ArgumentException($"QuantGemm: {m.Type} weights cannot be packed.");
        var job = new PackJob { M = m, Dst = dst };
        WorkerPool.Shared.For((m.Rows + Lanes - 1) / Lanes, &PackItem, &job);
    }

    private static void PackItem(int g, void* ctx)
    {
        var j = (PackJob*)ctx;
        Pack(j->M, g * Lanes, Math.Min(Lanes, j->M.Rows - g * Lanes), j->Dst + g * GroupBytes(j->M));
    }
}
