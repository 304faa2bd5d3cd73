using Xunit;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;

namespace SharpLM.Models.Tests.Formats;

public class GgufTensorNamesTests
{
    [Theory]
    [InlineData("model.embed_tokens.weight", "token_embd.weight")]
    [InlineData("model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight")]
    [InlineData("model.layers.12.self_attn.k_proj.weight", "blk.12.attn_k.weight")]
    [InlineData("model.layers.3.self_attn.v_proj.weight", "blk.3.attn_v.weight")]
    [InlineData("model.layers.3.self_attn.o_proj.weight", "blk.3.attn_output.weight")]
    [InlineData("model.layers.3.input_layernorm.weight", "blk.3.attn_norm.weight")]
    [InlineData("model.layers.3.post_attention_layernorm.weight", "blk.3.ffn_norm.weight")]
    [InlineData("model.layers.3.mlp.gate_proj.weight", "blk.3.ffn_gate.weight")]
    [InlineData("model.layers.3.mlp.up_proj.weight", "blk.3.ffn_up.weight")]
    [InlineData("model.layers.31.mlp.down_proj.weight", "blk.31.ffn_down.weight")]
    [InlineData("model.norm.weight", "output_norm.weight")]
    [InlineData("lm_head.weight", "output.weight")]
    public void LlamaTableMapsBothWays(string hf, string gguf)
    {
        Assert.Equal(gguf, GgufTensorNames.ToGguf(GgufTensorNames.Llama, hf));
        Assert.Equal(hf, GgufTensorNames.ToHf(GgufTensorNames.Llama, gguf));
    }

    [Theory]
    [InlineData("model.layers.x.mlp.up_proj.weight")]
    [InlineData("model.layers.01.mlp.up_proj.weight")]
    [InlineData("model.layers..mlp.up_proj.weight")]
    [InlineData("model.rotary_emb.inv_freq")]
    public void UnknownNamesGiveNull(string hf) => Assert.Null(GgufTensorNames.ToGguf(GgufTensorNames.Llama, hf));

    [Fact]
    public void Gpt2Table()
    {
        Assert.Equal("blk.5.attn_qkv.weight", GgufTensorNames.ToGguf(GgufTensorNames.Gpt2, "transformer.h.5.attn.c_attn.weight"));
        Assert.Equal("blk.5.attn_qkv.bias", GgufTensorNames.ToGguf(GgufTensorNames.Gpt2, "h.5.attn.c_attn.bias"));
        Assert.Equal("position_embd.weight", GgufTensorNames.ToGguf(GgufTensorNames.Gpt2, "wpe.weight"));
        Assert.Equal("transformer.h.0.mlp.c_proj.bias", GgufTensorNames.ToHf(GgufTensorNames.Gpt2, "blk.0.ffn_down.bias"));
    }
}
