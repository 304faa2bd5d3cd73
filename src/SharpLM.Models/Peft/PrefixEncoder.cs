// PrefixEncoder: prefix tuning's encoder (Li & Liang 2021; PEFT's PrefixEncoder): per virtual token, the keys and
// values of every layer, 2·L·token_dim numbers laid out as PEFT views them ([layer][key, value][head][head_dim]).
// Without prefix_projection they are learned directly ("embedding.weight"); with it, a [NV, token_dim] embedding goes
// through Linear-Tanh-Linear (encoder_hidden_size), the reparameterisation that steadies training.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>Virtual tokens → per-layer keys and values [NV, 2·L·token_dim].</summary>
public sealed class PrefixEncoder : Module, IPromptEncoder
{
    private readonly Tensor _embedding;
    private readonly Linear? _in, _out;

    public bool Projection => _in is not null;

    public PrefixEncoder(int numVirtualTokens, int tokenDim, int numLayers, int encoderHiddenSize, bool projection, bool zeroInit, Generator gen)
    {
        int width = numLayers * 2 * tokenDim;
        _embedding = Parameter("embedding.weight", Tensor.Randn([numVirtualTokens, projection ? tokenDim : width], gen));  // nn.Embedding: N(0, 1)
        if (projection)
        {
            _in = Child("transform.0", TorchDefaultInit.Linear(tokenDim, encoderHiddenSize, gen));
            _out = Child("transform.2", TorchDefaultInit.Linear(encoderHiddenSize, width, gen));
        }
        if (zeroInit) // init_weights "zero": the prefix starts as all-zero keys and values
            foreach (var t in projection ? [_out!.Weight, _out.Bias!] : new[] { _embedding }) TorchDefaultInit.Uniform(t, gen, 0f);
    }

    public Tensor Encode() => Columns(0, _out?.OutFeatures ?? _embedding.Shape[1]);

    /// <summary>Output columns [start, start+count): one layer's keys and values cost 1/L of the last projection.</summary>
    public Tensor Columns(int start, int count)
    {
        if (_in is null) return _embedding.Narrow(1, start, count);                    // (NV, count)
        var h = Ops.Tanh(_in.Forward(_embedding));                                     // (NV, hidden)
        var w = _out!.Weight.Narrow(0, start, count);                                  // (count, hidden)
        return Ops.Matmul(h, w.Transpose(0, 1)) + _out.Bias!.Narrow(0, start, count);  // (NV, count)
    }
}
