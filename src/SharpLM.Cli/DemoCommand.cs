// `sharplm demo`: a few-second smoke test of the tensor engine — prints `info` and trains the spiral MLP
// demo, showing the loss fall; Ctrl+C cancels cleanly.
using System.CommandLine;
using SharpLM.Tensors.Examples;

namespace SharpLM.Cli;

internal static class DemoCommand
{
    public static Command CreateDemo()
    {
        var steps = SharpLM.Cli.Common.CliOptions.AtLeast(new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 300 }, 1);
        var seed = new Option<ulong>("--seed") { Description = "Random seed for data and weights.", DefaultValueFactory = _ => 1UL };
        var cmd = new Command("demo", "Smoke test: train a two-layer MLP on a generated spiral task in about a second.") { steps, seed };
        cmd.SetAction(r => Run(r.GetValue(steps), r.GetValue(seed)));
        return cmd;
    }

    private static int Run(int steps, ulong seed)
    {
        if (steps < 1) { Console.Error.WriteLine($"demo: --steps must be at least 1, got {steps}."); return 2; }
        InfoCommand.Print();
        Console.WriteLine();
        Console.WriteLine($"Training a 2-64-3 tanh MLP on 600 spiral points (softmax cross-entropy, SGD momentum 0.9), {steps} steps:");
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var last = SpiralMlpDemo.Run(new SpiralMlpOptions(Steps: steps, Seed: seed),
                p => Console.WriteLine($"  step {p.Step,5}  loss {p.Loss,8:F4}  accuracy {p.Accuracy,6:P1}"), cts.Token);
            Console.WriteLine($"Done in {sw.Elapsed.TotalSeconds:F1}s: final loss {last.Loss:F4}, accuracy {last.Accuracy:P1}.");
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Cancelled.");
            return 130;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
