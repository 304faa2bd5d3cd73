// RopeKernel: rotary embedding over dense rows [rows, D] (moved unchanged from Ops); row r is at table
// position r % t; sign −1 rotates back (the backward).
namespace SharpLM.Tensors.Cpu;

internal static unsafe class RopeKernel
{
    public static void Rotate(float* x, float* y, long rows, int t, int d, float[] cos, float[] sin, RopeLayout layout, float sign)
    {
        int half = d / 2;
        for (long r = 0; r < rows; r++)
        {
            int p = (int)(r % t);
            float* xr = x + r * d; float* yr = y + r * d;
            for (int i = 0; i < half; i++)
            {
                float c = cos[p * half + i], s = sign * sin[p * half + i];
                int a = layout == RopeLayout.Halves ? i : 2 * i;
                int b = layout == RopeLayout.Halves ? i + half : 2 * i + 1;
                float x0 = xr[a], x1 = xr[b];
                yr[a] = x0 * c - x1 * s;
                yr[b] = x0 * s + x1 * c;
            }
        }
    }
}
