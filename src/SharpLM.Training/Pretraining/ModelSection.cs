// ModelSection: the "model" object of a PretrainConfig — an optional preset name plus the DecoderConfig fields
// the config sets (null = not set). It stays sparse so that `init_from` can tell what the user asked for from
// what a default would have filled in; Resolve lays the set fields over the preset (or the pretraining default,
// LLaMA-style dim 256 × 4 layers) and takes the vocabulary from the tokenizer. JSON form: ModelSectionJson.
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Training.Pretraining;

/// <summary>The model a pretraining run trains: a preset and/or DecoderConfig fields; unset fields come from the base.</summary>
public sealed record ModelSection
{
    /// <summary>The model a config without a model section trains (the vocabulary comes from the tokenizer).</summary>
    public static readonly DecoderConfig Default = new()
    {
        Family = ModelFamily.Llama, VocabSize = 0, Dim = 256, Layers = 4, Heads = 4, KvHeads = 4, FfnDim = 704, MaxPositions = 128,
    };

    /// <summary>A name in <see cref="DecoderPresets.ByName"/> (e.g. "tiny-llama"); null: <see cref="Default"/>.</summary>
    public string? Preset { get; init; }
    public ModelFamily? Family { get; init; }
    /// <summary>When set, must equal the tokenizer's vocabulary (the tokenizer decides it).</summary>
    public int? VocabSize { get; init; }
    public int? Dim { get; init; }
    public int? Layers { get; init; }
    public int? Heads { get; init; }
    public int? KvHeads { get; init; }
    public int? FfnDim { get; init; }
    /// <summary>The run's context (training window length); "context" in JSON is the same field.</summary>
    public int? MaxPositions { get; init; }
    public NormKind? Norm { get; init; }
    public float? NormEps { get; init; }
    public bool? PreNorm { get; init; }
    public PositionKind? Positions { get; init; }
    public float? RopeTheta { get; init; }
    public float? RopeScaling { get; init; }
    public SharpLM.Tensors.RopeLayout? RopeLayout { get; init; }
    public MlpKind? Mlp { get; init; }
    public bool? QkvBias { get; init; }
    public bool? ProjBias { get; init; }
    public bool? TiedEmbeddings { get; init; }
    public float? Dropout { get; init; }
    public float? AttentionDropout { get; init; }
    public bool? ActivationCheckpointing { get; init; }
    public float? InitStd { get; init; }

    /// <summary>The preset's config (vocabulary cleared) or <see cref="Default"/>.</summary>
    public DecoderConfig Base => Preset is null ? Default
        : DecoderPresets.ByName.TryGetValue(Preset, out var p) ? p with { VocabSize = 0 }
        : throw new ArgumentException($"PretrainConfig: model.preset '{Preset}' is not a preset (known: {string.Join(", ", DecoderPresets.ByName.Keys)}).");

    /// <summary>The run's context: max_positions if set, else the base's.</summary>
    public int Context => MaxPositions ?? Base.MaxPositions;

    /// <summary>The fields this section sets, laid over <paramref name="b"/>.</summary>
    public DecoderConfig Over(DecoderConfig b) => b with
    {
        Family = Family ?? b.Family, VocabSize = VocabSize ?? b.VocabSize, Dim = Dim ?? b.Dim, Layers = Layers ?? b.Layers, Heads = Heads ?? b.Heads,
        KvHeads = KvHeads ?? b.KvHeads, FfnDim = FfnDim ?? b.FfnDim, MaxPositions = MaxPositions ?? b.MaxPositions, Norm = Norm ?? b.Norm,
        NormEps = NormEps ?? b.NormEps, PreNorm = PreNorm ?? b.PreNorm, Positions = Positions ?? b.Positions, RopeTheta = RopeTheta ?? b.RopeTheta,
        RopeScaling = RopeScaling ?? b.RopeScaling, RopeLayout = RopeLayout ?? b.RopeLayout, Mlp = Mlp ?? b.Mlp, QkvBias = QkvBias ?? b.QkvBias,
        ProjBias = ProjBias ?? b.ProjBias, TiedEmbeddings = TiedEmbeddings ?? b.TiedEmbeddings, Dropout = Dropout ?? b.Dropout,
        AttentionDropout = AttentionDropout ?? b.AttentionDropout, ActivationCheckpointing = ActivationCheckpointing ?? b.ActivationCheckpointing,
        InitStd = InitStd ?? b.InitStd,
    };

    /// <summary>Every field of <paramref name="c"/> as set (used to compare configs field by field).</summary>
    public static ModelSection From(DecoderConfig c) => new()
    {
        Family = c.Family, VocabSize = c.VocabSize, Dim = c.Dim, Layers = c.Layers, Heads = c.Heads, KvHeads = c.KvHeads, FfnDim = c.FfnDim,
        MaxPositions = c.MaxPositions, Norm = c.Norm, NormEps = c.NormEps, PreNorm = c.PreNorm, Positions = c.Positions, RopeTheta = c.RopeTheta,
        RopeScaling = c.RopeScaling, RopeLayout = c.RopeLayout, Mlp = c.Mlp, QkvBias = c.QkvBias, ProjBias = c.ProjBias,
        TiedEmbeddings = c.TiedEmbeddings, Dropout = c.Dropout, AttentionDropout = c.AttentionDropout,
        ActivationCheckpointing = c.ActivationCheckpointing, InitStd = c.InitStd,
    };

    /// <summary>The decoder this section describes for a tokenizer of <paramref name="vocab"/> tokens (validated).</summary>
    public DecoderConfig Resolve(int vocab)
    {
        if (VocabSize is int v && v != vocab)
            throw new ArgumentException($"PretrainConfig: model.vocab_size is {v} but the tokenizer's vocabulary is {vocab}.");
        return (Over(Base) with { VocabSize = vocab }).Validate();
    }
}
