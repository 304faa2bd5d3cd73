// ModelOpenOptions: what ModelOpener.Open builds besides validating the path — the executor's KV cache (slots,
// context, element type), whether the model's tokenizer is skipped, used when present or required, and whether
// the autograd DecoderModel is kept as well (eval scoring, saving in another format, an f32 reference).
using SharpLM.Inference.Engine;

namespace SharpLM.Inference.Loading;

/// <summary>How ModelOpener treats the model's tokenizer: skip it, read it when present, or require it (an error when missing).</summary>
public enum TokenizerUse { None, IfPresent, Required }

/// <summary>Options for <see cref="ModelOpener.Open"/>.</summary>
/// <remarks>With <see cref="Adapters"/>, the model is loaded as an f32 DecoderModel (GGUF weights dequantised), the
/// adapters are merged into it (LoRA/DoRA/IA³), and the engine is built from that model: adapters are merged, not
/// applied unmerged in the engine.</remarks>
public sealed record ModelOpenOptions
{
    /// <summary>Build the executor (engine, else reference model). Off for callers that only need the DecoderModel (convert).</summary>
    public bool Executor { get; init; } = true;

    /// <summary>Positions each KV-cache slot holds (default: the model's training context; capped at it unless <see cref="BeyondTrainingContext"/>).</summary>
    public int? ContextLength { get; init; }

    /// <summary>
    /// Let <see cref="ContextLength"/> exceed the model's training context, as llama.cpp's <c>-c</c> does (it warns:
    /// "possible training context overflow"): rotary and ALiBi models run on; the engine only, and not with learned positions.
    /// </summary>
    public bool BeyondTrainingContext { get; init; }

    /// <summary>KV-cache slots: sequences decoded together (batches, beams, server requests).</summary>
    public int MaxSequences { get; init; } = 1;

    /// <summary>Blocks of the engine's paged KV cache (DecoderEngine.BlockSize positions each) shared by all slots; default: a full context per slot.</summary>
    public int? KvBlocks { get; init; }

    /// <summary>KV-cache element type; F16 needs the engine (the reference DecoderModel keeps f32).</summary>
    public KvCacheType KvType { get; init; } = KvCacheType.F32;

    /// <summary>Whether the model's tokenizer is read (and whether its absence is an error).</summary>
    public TokenizerUse Tokenizer { get; init; } = TokenizerUse.IfPresent;

    /// <summary>Keep the f32 autograd DecoderModel too (<see cref="OpenedModel.Model"/>); GGUF weights are then dequantised.</summary>
    public bool DecoderModel { get; init; }

    /// <summary>PEFT adapter folders merged into the weights in order (PeftMerge); empty: the model as stored.</summary>
    public IReadOnlyList<string> Adapters { get; init; } = [];
}
