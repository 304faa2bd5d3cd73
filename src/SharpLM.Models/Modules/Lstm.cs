// Lstm: PyTorch's nn.LSTM (batch_first, optionally bidirectional, several layers with dropout between them), with
// its parameter names (weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}; gates in the order
// input, forget, cell, output) and init (uniform ±1/√hidden). Built from differentiable ops one time step at a
// time — it serves P-tuning's prompt encoder, whose sequences are a few virtual tokens long.
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>A multi-layer (bi)directional LSTM over [B, T, in].</summary>
public sealed class Lstm : Module
{
    private readonly (Tensor Wih, Tensor Whh, Tensor Bih, Tensor Bhh)[][] _cells; // [layer][direction]
    private readonly Generator _dropoutSeeds;

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public bool Bidirectional { get; }
    /// <summary>Dropout on the outputs of every layer but the last (training only).</summary>
    public float Dropout { get; }

    /// <summary>Width of the output: hidden, doubled when bidirectional.</summary>
    public int OutputSize => Bidirectional ? 2 * HiddenSize : HiddenSize;

    public Lstm(int inputSize, int hiddenSize, int numLayers, bool bidirectional, float dropout, Generator gen)
    {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) throw new ArgumentException("Lstm: sizes and layers must be positive.");
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Lstm: dropout must be in [0, 1).");
        (InputSize, HiddenSize, NumLayers, Bidirectional, Dropout) = (inputSize, hiddenSize, numLayers, bidirectional, dropout);
        _dropoutSeeds = new Generator(gen.NextUInt64());
        float bound = 1f / MathF.Sqrt(hiddenSize);
        Tensor U(int[] shape) => Tensor.Rand(shape, gen, -bound, bound);
        int dirs = bidirectional ? 2 : 1;
        _cells = new (Tensor, Tensor, Tensor, Tensor)[numLayers][];
        for (int l = 0; l < numLayers; l++)
        {
            _cells[l] = new (Tensor, Tensor, Tensor, Tensor)[dirs];
            int inF = l == 0 ? inputSize : OutputSize;
            for (int d = 0; d < dirs; d++)
            {
                string sfx = $"_l{l}{(d == 1 ? "_reverse" : "")}";
                _cells[l][d] = (Parameter("weight_ih" + sfx, U([4 * hiddenSize, inF])), Parameter("weight_hh" + sfx, U([4 * hiddenSize, hiddenSize])),
                                Parameter("bias_ih" + sfx, U([4 * hiddenSize])), Parameter("bias_hh" + sfx, U([4 * hiddenSize])));
            }
        }
    }

    /// <summary>x [B, T, InputSize] → the last layer's hidden states [B, T, OutputSize] (zero initial state).</summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 3 || x.Shape[2] != InputSize) throw new ArgumentException($"Lstm: expected [batch, time, {InputSize}], got {ShapeUtil.Format(x.Shape)}.");
        var input = x;
        for (int l = 0; l < NumLayers; l++)
        {
            var outs = _cells[l].Select((cell, d) => Direction(input, cell, reverse: d == 1)).ToArray();
            input = outs.Length == 1 ? outs[0] : Ops.Concat(outs, 2);                                   // (B, T, dirs·h)
            if (l < NumLayers - 1) input = Ops.Dropout(input, Dropout, _dropoutSeeds.NextUInt64(), Training);
        }
        return Hooked(x, input);
    }

    private Tensor Direction(Tensor x, (Tensor Wih, Tensor Whh, Tensor Bih, Tensor Bhh) p, bool reverse)
    {
        int b = x.Shape[0], t = x.Shape[1], h = HiddenSize;
        var xw = Ops.Matmul(x, p.Wih.Transpose(0, 1)) + p.Bih + p.Bhh;                                 // (B, T, 4h)
        var whhT = p.Whh.Transpose(0, 1);
        Tensor hs = Tensor.Zeros([b, h]), cs = Tensor.Zeros([b, h]);
        var outs = new Tensor[t];
        for (int s = 0; s < t; s++)
        {
            int step = reverse ? t - 1 - s : s;
            var g = xw.Narrow(1, step, 1).Reshape(b, 4 * h) + Ops.Matmul(hs, whhT);                      // (B, 4h)
            var i = Ops.Sigmoid(g.Narrow(1, 0, h));
            var f = Ops.Sigmoid(g.Narrow(1, h, h));
            var c = Ops.Tanh(g.Narrow(1, 2 * h, h));
            var o = Ops.Sigmoid(g.Narrow(1, 3 * h, h));
            cs = f * cs + i * c;
            hs = o * Ops.Tanh(cs);
            outs[step] = hs;
        }
        return Ops.Stack(outs, 1);                                                                    // (B, T, h)
    }
}
