// LlamaRopePermute: the row permutation llama.cpp's convert_hf_to_gguf.py applies to LLaMA q_proj/k_proj
// weights. Hugging Face rotates the two halves of each head (dims i and i+hd/2 form a pair); Meta, llama2.c
// and GGUF rotate adjacent pairs (dims 2i and 2i+1). Per head, the HF row j*hd/2 + i (j ∈ {0,1}) moves to
// row 2i + j: view rows as [heads, 2, hd/2] and swap the last two axes. FromGguf is the inverse.
using SharpLM.Tensors;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>Converts LLaMA q/k projection rows between the HF halves layout and the GGUF/Meta interleaved layout.</summary>
public static class LlamaRopePermute
{
    /// <summary>HF (halves) → GGUF (interleaved pairs). <paramref name="w"/> is [heads*headDim, …] (weight or bias).</summary>
    public static Tensor ToGguf(Tensor w, int heads) => Permute(w, heads, toGguf: true);

    /// <summary>GGUF (interleaved pairs) → HF (halves); the inverse of <see cref="ToGguf"/>.</summary>
    public static Tensor FromGguf(Tensor w, int heads) => Permute(w, heads, toGguf: false);

    private static unsafe Tensor Permute(Tensor w, int heads, bool toGguf)
    {
        if (w.Rank is 0 or > 2) throw new ArgumentException($"LlamaRopePermute: expected a 1-D or 2-D tensor, got {w}.");
        int rows = w.Shape[0];
        if (heads <= 0 || rows % heads != 0 || rows / heads % 2 != 0)
            throw new ArgumentException($"LlamaRopePermute: {rows} rows do not split into {heads} heads of even size.");
        int hd = rows / heads, half = hd / 2;
        long rowBytes = (w.Rank == 2 ? w.Shape[1] : 1) * (long)w.DType.SizeOf();
        var src = w.IsContiguous ? w : w.Contiguous();
        var o = Tensor.Empty(w.Shape, w.DType);
        try
        {
            byte* s = (byte*)src.RawPointer, d = (byte*)o.RawPointer;
            for (int h = 0; h < heads; h++)
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < half; i++)
                    {
                        long halves = h * hd + j * half + i, pairs = h * hd + 2 * i + j;
                        long from = toGguf ? halves : pairs, to = toGguf ? pairs : halves;
                        Buffer.MemoryCopy(s + from * rowBytes, d + to * rowBytes, rowBytes, rowBytes);
                    }
            return o;
        }
        finally { if (!ReferenceEquals(src, w)) src.Dispose(); }
    }
}
