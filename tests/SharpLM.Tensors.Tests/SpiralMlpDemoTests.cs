// The quickstart demo trains: starts near ln 3 (uniform over 3 classes) and ends well below it.
using SharpLM.Tensors.Examples;
using Xunit;

namespace SharpLM.Tensors.Tests;

public class SpiralMlpDemoTests
{
    [Fact]
    public void LossFallsAndTheSpiralIsLearned()
    {
        var reports = new List<SpiralMlpProgress>();
        var last = SpiralMlpDemo.Run(new SpiralMlpOptions(Steps: 200), reports.Add);
        Assert.InRange(reports[0].Loss, 0.8f, 1.5f);             // ≈ ln 3 = 1.10 at initialisation
        Assert.True(last.Loss < 0.15f, $"final loss {last.Loss}");
        Assert.True(last.Accuracy > 0.95f, $"final accuracy {last.Accuracy}");
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => SpiralMlpDemo.Run(new SpiralMlpOptions(), null, cts.Token));
    }
}
