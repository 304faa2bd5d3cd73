// PromptEncoder: P-tuning's prompt encoder (Liu et al. 2021, "GPT Understands, Too"; PEFT's PromptEncoder): virtual
// token embeddings reparameterised by an MLP (Linear-ReLU-Linear-ReLU-Linear through encoder_hidden_size) or by a
// bidirectional LSTM (encoder_num_layers, encoder_dropout) followed by Linear-ReLU-Linear. Parameter names are
// PEFT's module names (embedding, mlp_head.N, lstm_head.*).
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>PEFT's encoder_reparameterization_type.</summary>
public enum PromptEncoderKind { Mlp, Lstm }

/// <summary>Embedding → MLP or LSTM+MLP → [NV, token_dim].</summary>
public sealed class PromptEncoder : Module, IPromptEncoder
{
    private readonly Embedding _embedding;
    private readonly Lstm? _lstm;
    private readonly Linear[] _mlp;

    public PromptEncoderKind Kind { get; }
    public int NumVirtualTokens { get; }

    public PromptEncoder(int numVirtualTokens, int tokenDim, int hiddenSize, PromptEncoderKind kind, int numLayers, float dropout, Generator gen)
    {
        Kind = kind; NumVirtualTokens = numVirtualTokens;
        _embedding = Child("embedding", new Embedding(numVirtualTokens, tokenDim, gen, std: 1f));          // nn.Embedding: N(0, 1)
        if (kind == PromptEncoderKind.Lstm)
        {
            _lstm = Child("lstm_head", new Lstm(tokenDim, hiddenSize, numLayers, bidirectional: true, dropout, gen));
            _mlp = [Child("mlp_head.0", TorchDefaultInit.Linear(2 * hiddenSize, 2 * hiddenSize, gen)),
                    Child("mlp_head.2", TorchDefaultInit.Linear(2 * hiddenSize, tokenDim, gen))];
        }
        else
            _mlp = [Child("mlp_head.0", TorchDefaultInit.Linear(tokenDim, hiddenSize, gen)),
                    Child("mlp_head.2", TorchDefaultInit.Linear(hiddenSize, hiddenSize, gen)),
                    Child("mlp_head.4", TorchDefaultInit.Linear(hiddenSize, tokenDim, gen))];
    }

    public Tensor Encode()
    {
        var x = _embedding.Weight.Unsqueeze(0);                                        // (1, NV, C)
        if (_lstm is not null) x = _lstm.Forward(x);                                   // (1, NV, 2h)
        for (int i = 0; i < _mlp.Length; i++)
        {
            x = _mlp[i].Forward(x);
            if (i < _mlp.Length - 1) x = Ops.Relu(x);
        }
        return Hooked(_embedding.Weight, x.Squeeze(0));                                // (NV, C)
    }
}
