// DecoderNames: the declarative weight-name table of each decoder family, in Hugging Face naming. The
// module tree registers its parameters under these names, so a state dict loads from HF checkpoints as is.
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
    public static readonly DecoderNames Gpt2 = new(
        Embed: "transformer.wte", PositionEmbed: "transformer.wpe", Layer: "transformer.h.{0}",
        AttnNorm: "ln_1", Q: null, K: null, V: null, FusedQkv: "attn.c_attn", O: "attn.c_proj",
        FfnNorm: "ln_2", Gate: null, Up: "mlp.c_fc", Down: "mlp.c_proj",
        FinalNorm: "transformer.ln_f", LmHead: "lm_head", Conv1D: true);

    public static readonly DecoderNames Llama = new(
        Embed: "model.embed_tokens", PositionEmbed: null, Layer: "model.layers.{0}",
        AttnNorm: "input_layernorm", Q: "self_attn.q_proj", K: "self_attn.k_proj", V: "self_attn.v_proj", FusedQkv: null, O: "self_attn.o_proj",
        FfnNorm: "post_attention_layernorm", Gate: "mlp.gate_proj", Up: "mlp.up_proj", Down: "mlp.down_proj",
        FinalNorm: "model.norm", LmHead: "lm_head", Conv1D: false);

    public static readonly DecoderNames Baichuan = Llama with { Q = null, K = null, V = null, FusedQkv = "self_attn.W_pack" };

    public static DecoderNames For(ModelFamily f) => f switch
    {
        ModelFamily.Gpt2 => Gpt2, ModelFamily.Llama => Llama, ModelFamily.Baichuan => Baichuan,
        _ => throw new ArgumentOutOfRangeException(nameof(f), f, "no weight-name table for this family"),
    };
}
