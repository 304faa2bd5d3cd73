// sharplm-bench: hot-path benchmarks that print our figure, the peer's figure from the same run, and the ratio.
// Usage: dotnet run -c Release --project bench/SharpLM.Bench -- <verb> [options]; verbs are listed below.
using SharpLM.Bench;

var verbs = new Dictionary<string, Func<string[], int>>
{
    ["gemm"] = GemmBench.Run,
    ["attention"] = AttentionBench.Run,
    ["train-step"] = TrainStepBench.Run,
    ["lora-step"] = LoraStepBench.Run,
    ["bpe-train"] = BpeTrainBench.Run,
    ["llamacpp-interop"] = LlamaCppInterop.Run,
    ["data"] = DataBench.Run,
    ["tokenize"] = TokenizeBench.Run,
    ["decode"] = DecodeBench.Run,
    ["decode-profile"] = DecodeProfileBench.Run,
    ["quant-gemm"] = QuantGemmBench.Run,
    ["batch-decode"] = BatchDecodeBench.Run,
    ["serve"] = ServeBench.Run,
};
var verb = args.Length > 0 ? args[0] : "";
if (verbs.TryGetValue(verb, out var run)) return run(args.Skip(1).ToArray());
Console.Error.WriteLine($"usage: sharplm-bench <{string.Join("|", verbs.Keys)}> [options]");
return 2;
