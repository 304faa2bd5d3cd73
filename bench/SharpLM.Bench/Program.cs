// sharplm-bench: hot-path benchmarks that print our figure, the peer's figure from the same run, and the ratio.
// Usage: dotnet run -c Release --project bench/SharpLM.Bench -- <gemm|attention|train-step|bpe-train|llamacpp-interop|decode> [options]
using SharpLM.Bench;

var verb = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
switch (verb)
{
    case "gemm": return GemmBench.Run(rest);
    case "attention": return AttentionBench.Run(rest);
    case "train-step": return TrainStepBench.Run(rest);
    case "bpe-train": return BpeTrainBench.Run(rest);
    case "llamacpp-interop": return LlamaCppInterop.Run(rest);
    case "decode": return DecodeBench.Run(rest);
    default:
        Console.Error.WriteLine("usage: sharplm-bench <gemm|attention|train-step|bpe-train|llamacpp-interop|decode> [options]");
        return 2;
}
