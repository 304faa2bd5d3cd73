// TEMPORARY placeholder with the agreed API; replaced by the tiled FlashAttention kernel (attn branch).
namespace SharpLM.Tensors.Cpu;

public static unsafe class FlashAttention
{
    public static void Forward(float* q, float* k, float* v, float* output, float* lse,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale,
        bool causal, float* alibiSlopes, float dropoutP, ulong seed) => throw new NotImplementedException("FlashAttention.Forward");

    public static void Backward(float* q, float* k, float* v, float* output, float* lse, float* dOut,
        float* dq, float* dk, float* dv,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale,
        bool causal, float* alibiSlopes, float dropoutP, ulong seed) => throw new NotImplementedException("FlashAttention.Backward");
}
