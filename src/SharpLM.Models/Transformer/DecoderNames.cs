// DecoderNames: the shape of a decoder family's declarative weight-name table, in Hugging Face naming; each
// family defines its own in Families/<Family>/*Family.cs. The module tree registers its parameters under these
// names, so a state dict loads from HF checkpoints as is.
namespace SharpLM.Models.Transformer;

/// <summary>Hugging Face parameter names of one decoder family ("{0}" is the layer index).</summary>
public sealed record DecoderNames(
    string Embed, string? PositionEmbed, string Layer,
    string AttnNorm, string? Q, string? K, string? V, string? FusedQkv, string O,
    string FfnNorm, string? Gate, string Up, string Down,
    string FinalNorm, string LmHead,
    /// <summary>GPT-2 stores its projections as Conv1D ([in, out]).</summary>
    bool Conv1D)
{
    /// <summary>The table of <paramref name="f"/>, from the family registry (Families/&lt;Family&gt;/*Family.cs).</summary>
    public static DecoderNames For(ModelFamily f) => Families.DecoderFamilies.Names(f);

    /// <summary>Per-head q and k RMSNorm inside the attention module (Qwen3), used when the config has QkHeadNorm.</summary>
    public string? QNorm { get; init; }
    public string? KNorm { get; init; }
}
