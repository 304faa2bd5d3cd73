namespace SharpLM.Bench;
internal static class GemmBench { public static int Run(string[] args) { Console.Error.WriteLine("gemm bench: not written yet"); return 1; } }
