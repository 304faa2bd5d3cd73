// QuantGemmPack: QuantGemm's packed layout — 16 weight rows interleaved so each int32 lane of a Vector512 is
// one row (see QuantGemm.cs for the layout per type) — built from the stored GGUF blocks: per call for a
// 16-row panel (Pack) or once for a whole matrix at engine load (PackAll, groups in parallel).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Formats.Gguf;
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
        if (WeightMatrix.IsKQuant(m.Type)) { PackK(m, r0, rows, panel); return; }
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
    /// K-quants: each 32 values of a super-block (GgmlKQuant.Unpack, the same reading of the bits as the f32
    /// dequantisation) become one packed block with two f32 vectors after the quantised bytes —
    ///   Q4_K: Q4_0's nibble order (byte k: value k low, k + 16 high), then scale d·sc and min d_min·m;
    ///   Q5_K: the values 0..31 as bytes (Q8_0's step layout), then scale and min;
    ///   Q6_K: the values q − 32 as signed bytes, then the scales of values 0–15 and of 16–31.
    /// </summary>
    private static void PackK(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(m.Type), quantBytes = bb - 2 * Lanes * sizeof(float), size = GgmlKQuant.BlockBytes(m.Type);
        bool q4 = m.Type == GgmlType.Q4_K, q6 = m.Type == GgmlType.Q6_K;
        Span<sbyte> q = stackalloc sbyte[GgmlKQuant.QK_K];
        Span<float> scale = stackalloc float[16], min = stackalloc float[16];
        byte* bytes = stackalloc byte[32];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / GgmlKQuant.QK_K; sb++)
            {
                GgmlKQuant.Unpack(m.Type, new ReadOnlySpan<byte>(src + sb * size, size), q, scale, min);
                for (int j = 0; j < 8; j++)
                {
                    var v = q.Slice(32 * j, 32);
                    if (q4) for (int k = 0; k < 16; k++) bytes[k] = (byte)((byte)v[k] | ((byte)v[k + 16] << 4)); // nibbles 0..15
                    else v.CopyTo(new Span<sbyte>(bytes, 32));
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < quantBytes / StepBytes; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)bytes)[s];
                    ((float*)(dst + quantBytes))[l] = q6 ? scale[2 * j] : scale[j];
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = q6 ? scale[2 * j + 1] : min[j];
                }
            }
        }
    }

    private struct PackJob
    {
        public WeightMatrix M;
        public byte* Dst;
    }

    /// <summary>Packs all of <paramref name="m"/> into <paramref name="dst"/> (<see cref="PackedBytes"/> bytes), groups in parallel.</summary>
    public static void PackAll(in WeightMatrix m, byte* dst)
    {
        if (!(m.IsQuantized || WeightMatrix.IsKQuant(m.Type))) throw new ArgumentException($"QuantGemm: {m.Type} weights cannot be packed.");
        var job = new PackJob { M = m, Dst = dst };
        WorkerPool.Shared.For((m.Rows + Lanes - 1) / Lanes, &PackItem, &job);
    }

    private static void PackItem(int g, void* ctx)
    {
        var j = (PackJob*)ctx;
        Pack(j->M, g * Lanes, Math.Min(Lanes, j->M.Rows - g * Lanes), j->Dst + g * GroupBytes(j->M));
    }
}
