// CliOptions: the options every verb spells the same way, as llama.cpp and Hugging Face users expect —
// -m/--model, -t/--threads, -o/--output, -i/--input — and the parse-time checks of numeric options (a value out
// of range is a usage error, exit 1, before any file is opened).
using System.CommandLine;
using SharpLM.Tensors.Threading;

namespace SharpLM.Cli.Common;

internal static class CliOptions
{
    /// <summary>-m/--model PATH: an HF folder, a .gguf file or a llama2.c .bin checkpoint.</summary>
    public static Option<string> Model(string description = "Model: HF folder, .gguf or llama2.c .bin.") =>
        new("--model", "-m") { Description = description, Required = true };

    /// <summary>-t/--threads N: the worker pool's size (default: every core), at least 1 and at most 4 × the cores.</summary>
    public static Option<int?> Threads(string? description = null) =>
        Range(new Option<int?>("--threads", "-t") { Description = description ?? $"Threads (default: all {Environment.ProcessorCount} cores)." },
              1, MaxThreads);

    /// <summary>-t/--threads N with a default (for verbs whose default is not "every core").</summary>
    public static Option<int> Threads(int defaultValue, string description) =>
        Range(new Option<int>("--threads", "-t") { Description = description, DefaultValueFactory = _ => defaultValue }, 1, MaxThreads);

    /// <summary>More threads than this is a typo, not a setting (`-t 1000`).</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Applies --threads to the shared worker pool (no value: leave it at every core).</summary>
    public static void UseThreads(int? threads)
    {
        if (threads is { } n) WorkerPool.SetThreads(n);
    }

    /// <summary>-o/--output PATH.</summary>
    public static Option<T> Output<T>(string description, bool required = false) =>
        new("--output", "-o") { Description = description, Required = required };

    /// <summary>-i/--input FILE… (one or more files).</summary>
    public static Option<FileInfo[]> Inputs(string description) =>
        new("--input", "-i") { Description = description, Required = true, AllowMultipleArgumentsPerToken = true };

    /// <summary>Adds a parse-time check that the option's value lies in [min, max].</summary>
    public static Option<T> Range<T>(Option<T> o, double min, double max = double.PositiveInfinity, bool minExclusive = false)
    {
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return; // the default was not typed; it is in range by construction
            object? raw = r.GetValueOrDefault<T>();
            if (raw is null) return;
            double v = Convert.ToDouble(raw, System.Globalization.CultureInfo.InvariantCulture);
            bool low = minExclusive ? v <= min : v < min;
            if (low || v > max || double.IsNaN(v))
                r.AddError($"{o.Name} must be {Describe(min, max, minExclusive)}, got {r.Tokens[0].Value}.");
        });
        return o;
    }

    /// <summary>At least <paramref name="min"/> (integers: --limit, --min-frequency, --order …).</summary>
    public static Option<T> AtLeast<T>(Option<T> o, double min) => Range(o, min);

    /// <summary>Strictly positive (real values: temperatures aside, rates and factors).</summary>
    public static Option<T> Positive<T>(Option<T> o) => Range(o, 0, minExclusive: true);

    /// <summary>Requires a non-blank string value (--tasks "", --eos "").</summary>
    public static Option<string> NonEmpty(Option<string> o)
    {
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
                r.AddError($"{o.Name} must not be empty.");
        });
        return o;
    }

    private static string Describe(double min, double max, bool minExclusive)
    {
        string lo = minExclusive ? $"greater than {min:G}" : $"at least {min:G}";
        return double.IsPositiveInfinity(max) ? lo : minExclusive ? $"in ({min:G}, {max:G}]" : $"in [{min:G}, {max:G}]";
    }
}
