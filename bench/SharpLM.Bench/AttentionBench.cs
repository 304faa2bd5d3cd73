namespace SharpLM.Bench;
internal static class AttentionBench { public static int Run(string[] args) { Console.Error.WriteLine("attention bench: not written yet"); return 1; } }
