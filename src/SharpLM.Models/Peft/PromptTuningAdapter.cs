// PromptTuningAdapter: prompt tuning (Lester et al. 2021; PEFT's PROMPT_TUNING) — num_virtual_tokens learned
// embeddings put before the input embeddings. prompt_tuning_init: RANDOM (N(0, 1), nn.Embedding's default),
// SAMPLE_VOCAB (rows of the model's embedding at random token ids) or TEXT (rows at the token ids of
// prompt_tuning_init_text, trimmed or repeated to num_virtual_tokens as PEFT does; the caller tokenizes the text
// with the model's tokenizer, so Models does not depend on Text).
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>PEFT's prompt_tuning_init.</summary>
public enum PromptTuningInit { Random, SampleVocab, Text }

/// <summary>Learned virtual-token embeddings.</summary>
public sealed class PromptTuningAdapter : PromptLearningAdapter
{
    public const string Type = "PROMPT_TUNING";

    public override string PeftType => Type;
    public override VirtualTokenKind Kind => VirtualTokenKind.Embeddings;

    private PromptTuningAdapter(DecoderModel model, string name, PromptLearningConfig sizes, PromptEmbedding table, JsonObject fields)
        : base(model, name, sizes, table, fields) { }

    /// <summary>PEFT's TEXT init: the text's ids trimmed to <paramref name="total"/>, or repeated and then trimmed.</summary>
    public static int[] TextInitIds(IReadOnlyList<int> textIds, int total)
    {
        if (textIds.Count == 0) throw new ArgumentException("prompt_tuning_init_text tokenizes to no tokens.");
        return Enumerable.Range(0, total).Select(i => textIds[i % textIds.Count]).ToArray();
    }

    /// <summary>
    /// Attaches prompt tuning with <paramref name="numVirtualTokens"/> virtual tokens. TEXT needs
    /// <paramref name="initTextIds"/>, the token ids of <paramref name="initText"/> under the model's tokenizer.
    /// </summary>
    public static PromptTuningAdapter Attach(DecoderModel model, int numVirtualTokens, PromptTuningInit init = PromptTuningInit.Random,
        IReadOnlyList<int>? initTextIds = null, string? initText = null, string? tokenizerNameOrPath = null, string adapterName = "default", ulong seed = 0) =>
        Build(model, numVirtualTokens, init, InitName(init), initTextIds, initText, tokenizerNameOrPath, adapterName, seed);

    private static string InitName(PromptTuningInit init) => init switch { PromptTuningInit.Text => "TEXT", PromptTuningInit.SampleVocab => "SAMPLE_VOCAB", _ => "RANDOM" };

    private static PromptTuningAdapter Build(DecoderModel model, int numVirtualTokens, PromptTuningInit init, string initName,
        IReadOnlyList<int>? initTextIds, string? initText, string? tokenizerNameOrPath, string adapterName, ulong seed)
    {
        var sizes = PromptLearningConfig.For(model.Config, numVirtualTokens, keyValueSizes: false);
        var gen = new Generator(seed);
        using var outside = TensorScope.Outside();
        var embed = model.StateDict()[DecoderNames.For(model.Config.Family).Embed + ".weight"];   // (V, C)
        int[]? rows = init switch
        {
            PromptTuningInit.Text => TextInitIds(initTextIds ?? throw new ArgumentException("prompt_tuning_init TEXT needs the token ids of prompt_tuning_init_text (tokenize it with the model's tokenizer)."), numVirtualTokens),
            PromptTuningInit.SampleVocab => Enumerable.Range(0, numVirtualTokens).Select(_ => gen.NextInt(model.Config.VocabSize)).ToArray(),
            _ => null,
        };
        if (rows?.FirstOrDefault(r => r < 0 || r >= model.Config.VocabSize, -1) is int bad && bad != -1)
            throw new ArgumentException($"prompt_tuning_init_text: token id {bad} is outside the model's vocabulary of {model.Config.VocabSize}.");
        Tensor weight;
        if (rows is null) weight = Tensor.Randn([numVirtualTokens, model.Config.Dim], gen);
        else
        {
            using var ids = Tensor.FromArray(rows, rows.Length);
            using var _ = SharpLM.Tensors.Autograd.GradMode.NoGrad();
            weight = Ops.Embedding(embed, ids).Contiguous();
        }
        var fields = new JsonObject
        {
            ["prompt_tuning_init"] = initName,
            ["prompt_tuning_init_text"] = initText, ["tokenizer_name_or_path"] = tokenizerNameOrPath, ["tokenizer_kwargs"] = null,
        };
        return new PromptTuningAdapter(model, adapterName, sizes, new PromptEmbedding(weight), fields);
    }

    /// <summary>PeftMethods entry. A TEXT init without token ids is allowed only in inference mode (the file's tensor replaces it).</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed)
    {
        var f = new PeftConfigFields(config, Type);
        var sizes = PromptLearningConfig.Read(f, model.Config, keyValueSizes: false);
        var initName = f.String("prompt_tuning_init", "RANDOM");
        var init = initName switch
        {
            "RANDOM" => PromptTuningInit.Random, "SAMPLE_VOCAB" => PromptTuningInit.SampleVocab, "TEXT" => PromptTuningInit.Text,
            _ => throw new ArgumentException($"adapter_config.json: prompt_tuning_init '{initName}' is not one of RANDOM, SAMPLE_VOCAB, TEXT."),
        };
        var text = f.String("prompt_tuning_init_text");
        var tokenizer = f.String("tokenizer_name_or_path");
        f.Ignore("tokenizer_kwargs");
        bool inference = f.Bool("inference_mode") ?? false;
        f.Done();
        if (init == PromptTuningInit.Text && !inference)
            throw new ArgumentException("adapter_config.json: prompt_tuning_init TEXT needs the init text's token ids; use PromptTuningAdapter.Attach(model, …, initTextIds) with the model's tokenizer.");
        // In inference mode the file's prompt_embeddings replace the init, so TEXT starts from random rows here.
        return Build(model, sizes.NumVirtualTokens, init == PromptTuningInit.Text ? PromptTuningInit.Random : init, initName!, null, text, tokenizer, adapterName, seed);
    }
}
