// `sharplm info`: what the engine detected on this machine — version, SIMD level, cores, backend.
using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using SharpLM.Tensors.Cpu;
using SharpLM.Tensors.Threading;

namespace SharpLM.Cli;

internal static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Print the version, detected CPU instruction set, cores and compute backend.");
        cmd.SetAction(_ => { Print(); return 0; });
        return cmd;
    }

    public static void Print()
    {
        var version = typeof(CpuIsa).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        Console.WriteLine($"SharpLM {version.Split('+')[0]}");
        Console.WriteLine($"  runtime   .NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
        Console.WriteLine($"  cpu ISA   {CpuIsa.Level switch { IsaLevel.Avx512 => "AVX-512", IsaLevel.Avx2 => "AVX2+FMA", _ => "scalar" }}  [{CpuIsa.Describe()}]");
        Console.WriteLine($"  cores     {Environment.ProcessorCount} (worker pool: {WorkerPool.Shared.Threads} threads)");
        Console.WriteLine("  backend   cpu (CUDA backend: not built yet)");
    }
}
