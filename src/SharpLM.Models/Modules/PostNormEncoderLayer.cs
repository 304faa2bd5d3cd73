// PostNormEncoderLayer: the post-LN encoder block of the original Transformer and of BERT —
// x ← Norm(x + Dropout(SelfAttention(x))); x ← Norm(x + Dropout(Down(Act(Up(x))))). The families differ
// only in parameter names and activation, given by EncoderLayerNames and the MlpKind.
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>Parameter names of one post-LN encoder layer (relative to the layer).</summary>
public sealed record EncoderLayerNames(string Attention, string Q, string K, string V, string O, string AttnNorm, string Up, string Down, string FfnNorm)
{
    /// <summary>Hugging Face BERT (bert.encoder.layer.{i}.*).</summary>
    public static readonly EncoderLayerNames Bert = new("attention", "self.query", "self.key", "self.value", "output.dense",
        "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm");

    /// <summary>BART/Marian scheme (encoder.layers.{i}.*).</summary>
    public static readonly EncoderLayerNames Bart = new("self_attn", "q_proj", "k_proj", "v_proj", "out_proj",
        "self_attn_layer_norm", "fc1", "fc2", "final_layer_norm");
}

/// <summary>A post-LN self-attention + feed-forward block.</summary>
public sealed class PostNormEncoderLayer : Module
{
    private readonly MultiHeadAttention _attn;
    private readonly Norm _attnNorm, _ffnNorm;
    private readonly Linear _up, _down;
    private readonly float _dropout;
    private readonly MlpKind _act;

    public PostNormEncoderLayer(int dim, int heads, int ffnDim, float eps, float dropout, MlpKind activation, EncoderLayerNames n, Generator gen, float std)
    {
        if (activation is not (MlpKind.Gelu or MlpKind.Relu or MlpKind.GeluTanh))
            throw new ArgumentException($"PostNormEncoderLayer: activation {activation} is not a plain FFN activation.");
        _dropout = dropout; _act = activation;
        _attn = Child(n.Attention, new MultiHeadAttention(dim, heads, gen, std, (n.Q, n.K, n.V, n.O)));
        _attnNorm = Child(n.AttnNorm, new Norm(NormKind.LayerNorm, dim, eps));
        _up = Child(n.Up, new Linear(dim, ffnDim, true, gen, std));
        _down = Child(n.Down, new Linear(ffnDim, dim, true, gen, std));
        _ffnNorm = Child(n.FfnNorm, new Norm(NormKind.LayerNorm, dim, eps));
    }

    /// <summary>x [B, T, C] with an optional key mask i32 [B, T] (1 = token).</summary>
    public Tensor Forward(Tensor x, Tensor? mask, ulong seed)
    {
        var h = _attnNorm.Forward(x + Ops.Dropout(_attn.Forward(x, null, mask, causal: false, _dropout, seed), _dropout, seed + 1, Training));
        var u = _up.Forward(h);
        u = _act switch { MlpKind.Relu => Ops.Relu(u), MlpKind.GeluTanh => Ops.Gelu(u, true), _ => Ops.Gelu(u) };
        return _ffnNorm.Forward(h + Ops.Dropout(_down.Forward(u), _dropout, seed + 2, Training));
    }
}
