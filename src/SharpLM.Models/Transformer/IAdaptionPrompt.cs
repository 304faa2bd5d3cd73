// IAdaptionPrompt: LLaMA-Adapter's extra attention in a layer (Zhang et al. 2023, PEFT's AdaptedAttention): the
// layer's queries also attend, in a softmax of their own, to learned prompt tokens projected through the layer's
// key/value projections, and the gated result is added to the attention block's output.
using SharpLM.Tensors;

namespace SharpLM.Models.Transformer;

/// <summary>A term added to a DecoderLayer's attention output (DecoderLayer.AdaptionPrompt).</summary>
public interface IAdaptionPrompt
{
    /// <summary>
    /// The term [B, T, C] for the layer's queries <paramref name="q"/> [B, H, T, hd] (after RoPE); the layer's
    /// projections are reached through <paramref name="layer"/>.
    /// </summary>
    Tensor Output(DecoderLayer layer, Tensor q);
}
