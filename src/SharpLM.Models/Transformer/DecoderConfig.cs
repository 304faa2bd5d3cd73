// DecoderConfig: one record describes every decoder-only family (GPT-2, LLaMA/Mistral/Qwen2, Baichuan);
// a family is a preset of these switches plus a weight-name table, never a fork of the forward pass.
using SharpLM.Models.Modules;
using SharpLM.Tensors;

namespace SharpLM.Models.Transformer;

/// <summary>How positions enter the model.</summary>
public enum PositionKind { Learned, Rotary, Alibi, Sinusoidal, None }

/// <summary>The feed-forward block.</summary>
public enum MlpKind
{
    /// <summary>up → GELU (erf) → down.</summary>
    Gelu,
    /// <summary>up → GELU (tanh approximation, GPT-2's "gelu_new") → down.</summary>
    GeluTanh,
    /// <summary>up → ReLU → down.</summary>
    Relu,
    /// <summary>down(silu(gate(x)) · up(x)) (LLaMA).</summary>
    SwiGlu,
}

/// <summary>Hyper-parameters and switches of a decoder-only Transformer.</summary>
public sealed record DecoderConfig
{
    /// <summary>Family whose weight names the model uses.</summary>
    public ModelFamily Family { get; init; } = ModelFamily.Llama;
    public int VocabSize { get; init; } = 32000;
    public int Dim { get; init; } = 4096;
    public int Layers { get; init; } = 32;
    public int Heads { get; init; } = 32;
    public int KvHeads { get; init; } = 32;
    public int FfnDim { get; init; } = 11008;
    public int MaxPositions { get; init; } = 4096;
    public NormKind Norm { get; init; } = NormKind.RmsNorm;
    public float NormEps { get; init; } = 1e-5f;
    /// <summary>Pre-norm (GPT-2, LLaMA) or post-norm (the original Transformer).</summary>
    public bool PreNorm { get; init; } = true;
    public PositionKind Positions { get; init; } = PositionKind.Rotary;
    public float RopeTheta { get; init; } = 10000f;
    /// <summary>Linear RoPE scaling factor (positions are divided by it).</summary>
    public float RopeScaling { get; init; } = 1f;
    public RopeLayout RopeLayout { get; init; } = RopeLayout.Halves;
    public MlpKind Mlp { get; init; } = MlpKind.SwiGlu;
    /// <summary>Bias on q/k/v projections (Qwen2).</summary>
    public bool QkvBias { get; init; }
    /// <summary>Bias on the attention output and MLP projections (GPT-2).</summary>
    public bool ProjBias { get; init; }
    public bool TiedEmbeddings { get; init; }
    public float Dropout { get; init; }
    public float AttentionDropout { get; init; }
    /// <summary>Recompute each block in backward instead of keeping its activations (training only).</summary>
    public bool ActivationCheckpointing { get; init; }
    /// <summary>Standard deviation of the normal initialisation of weights.</summary>
    public float InitStd { get; init; } = 0.02f;

    /// <summary>Width of one attention head when it is not Dim / Heads (Qwen3's and Gemma's head_dim); 0 = Dim / Heads.</summary>
    public int ExplicitHeadDim { get; init; }
    /// <summary>RMSNorm over each q and each k head (weights [HeadDim]) before RoPE (Qwen3's q_norm/k_norm).</summary>
    public bool QkHeadNorm { get; init; }

    /// <summary>Dimension of one attention head.</summary>
    public int HeadDim => ExplicitHeadDim > 0 ? ExplicitHeadDim : Dim / Heads;

    /// <summary>Width of all query heads together (q projection rows, o projection columns): Heads · HeadDim.</summary>
    public int AttnDim => Heads * HeadDim;

    /// <summary>Throws naming the field when the config is inconsistent.</summary>
    public DecoderConfig Validate()
    {
        void Check(bool ok, string msg) { if (!ok) throw new ArgumentException($"DecoderConfig: {msg}"); }
        Check(VocabSize > 0 && Dim > 0 && Layers > 0 && Heads > 0 && KvHeads > 0 && FfnDim > 0, "vocab_size, dim, layers, heads, kv_heads and ffn_dim must be positive.");
        Check(ExplicitHeadDim >= 0, $"explicit head dim must be 0 (dim / heads) or positive, got {ExplicitHeadDim}.");
        Check(ExplicitHeadDim > 0 || Dim % Heads == 0, $"dim {Dim} must be divisible by heads {Heads}.");
        Check(Heads % KvHeads == 0, $"heads {Heads} must be a multiple of kv_heads {KvHeads}.");
        Check(Positions != PositionKind.Rotary || HeadDim % 2 == 0, $"rotary positions need an even head dim, got {HeadDim}.");
        Check(Dropout is >= 0 and < 1 && AttentionDropout is >= 0 and < 1, "dropout must be in [0, 1).");
        return this;
    }
}

/// <summary>Model families whose weight names SharpLM knows.</summary>
public enum ModelFamily { Gpt2, Llama, Baichuan }
