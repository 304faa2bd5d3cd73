// The SQLite run store round-trips runs and metrics, and the plotter writes a real PNG.
using SharpLM.Training.Runs;
using Xunit;

namespace SharpLM.Training.Tests;

public class RunStoreTests
{
    [Fact]
    public void RunsAndMetricsRoundTripAndPlotAsPng()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-runstore-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var store = new RunStore(Path.Combine(dir, "runs.sqlite"));
            long id = store.StartRun("unit", """{"lr":0.001}""");
            for (int s = 0; s < 10; s++) store.Log(id, s, new Dictionary<string, double> { ["train/loss"] = 5 - 0.3 * s, ["lr"] = 1e-3 });
            store.Log(id, 9, new Dictionary<string, double> { ["train/loss"] = 1.5 }); // a resumed step overwrites
            store.EndRun(id, "finished");
            var run = Assert.Single(store.Runs());
            Assert.Equal("finished", run.Status);
            Assert.Equal("""{"lr":0.001}""", run.ConfigJson);
            var loss = store.Series(id, "train/loss");
            Assert.Equal(10, loss.Count);
            Assert.Equal(5.0, loss[0].Value);
            Assert.Equal(1.5, loss[9].Value);
            Assert.Equal(new[] { "lr", "train/loss" }, store.Keys(id));
            var png = RunPlots.Save(store, id, ["train/loss"], Path.Combine(dir, "loss.png"), "loss");
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 1000);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.Throws<InvalidOperationException>(() => RunPlots.Save(store, id, ["nope"], Path.Combine(dir, "x.png"), "x"));
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}
