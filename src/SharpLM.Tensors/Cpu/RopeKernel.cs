// RopeKernel: rotary embedding over dense rows [rows, D] for Ops.Rope; row r is at table position r % t;
// sign −1 rotates back (the backward). The rotation itself is RopeTables.Rotate, shared with the engine.
namespace SharpLM.Tensors.Cpu;

internal static unsafe class RopeKernel
{
    public static void Rotate(float* x, float* y, long rows, int t, int d, float[] cos, float[] sin, RopeLayout layout, float sign)
    {
        int half = d / 2;
        fixed (float* c = cos, s = sin)
            for (long r = 0; r < rows; r++)
            {
                int p = (int)(r % t);
                RopeTables.Rotate(x + r * d, y + r * d, d, c + (long)p * half, s + (long)p * half, layout, sign);
            }
    }
}
