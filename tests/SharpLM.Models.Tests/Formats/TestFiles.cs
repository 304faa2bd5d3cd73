// Helpers shared by the format tests: a per-test temporary directory, fixture paths, and the shared data folder.
namespace SharpLM.Models.Tests.Formats;

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharplm-formats-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

internal static class TestFiles
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "formats", name);

    /// <summary>A path under ../shared/data beside the repository; throws (the test fails) when it is missing.</summary>
    public static string SharedData(string relative) => SharpLM.TestSupport.RepoPaths.SharedData(relative.Split('/'));

    public static float[] Floats(string hex)
    {
        var b = Convert.FromHexString(hex);
        var f = new float[b.Length / 4];
        Buffer.BlockCopy(b, 0, f, 0, b.Length);
        return f;
    }
}
