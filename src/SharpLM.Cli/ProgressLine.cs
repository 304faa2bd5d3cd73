// ProgressLine: renders training progress — a live single-line bar (step, loss, tokens/s, ETA) on a
// terminal, plain lines every few steps when output is redirected (CI logs, files).
using SharpLM.Training.Pretraining;

namespace SharpLM.Cli;

internal sealed class ProgressLine(int plainEvery = 10) : IProgress<TrainProgress>
{
    private readonly bool _tty = !Console.IsOutputRedirected;

    public void Report(TrainProgress p)
    {
        if (p.Event is { } e && !e.StartsWith("sample:")) Line($"  {e}");
        string stats = $"step {p.Step,5}/{p.TotalSteps}  loss {p.Loss,7:F4}  lr {p.Lr:E2}  {p.TokensPerSecond,7:F0} tok/s  ETA {p.Eta:hh\\:mm\\:ss}";
        if (p.ValLoss is { } v) Line($"  {stats}  val loss {v:F4}");
        else if (_tty)
        {
            int width = 24, filled = (int)(width * p.Step / Math.Max(1, p.TotalSteps));
            Console.Write($"\r  [{new string('#', filled)}{new string('.', width - filled)}] {stats}   ");
        }
        else if (p.Step % plainEvery == 0) Console.WriteLine($"  {stats}");
        if (p.Event is { } s && s.StartsWith("sample:")) Line("  sample: " + s["sample:".Length..].Trim().Replace("\n", "\n          "));
    }

    private void Line(string s)
    {
        if (_tty) Console.Write("\r" + new string(' ', 110) + "\r");
        Console.WriteLine(s);
    }
}
