// RepoPaths: where the repository and the shared data folder (../shared beside the checkout) are. Tests
// that need shared data fail loudly when it is missing; they never skip.
namespace SharpLM.TestSupport;

public static class RepoPaths
{
    /// <summary>The folder holding SharpLM.slnx, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SharpLM.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException($"RepoPaths: no SharpLM.slnx above {AppContext.BaseDirectory}.");
    }

    /// <summary>A path under ../shared/data; throws if it does not exist.</summary>
    public static string SharedData(params string[] parts)
    {
        var p = Path.GetFullPath(Path.Combine([Root, "..", "shared", "data", .. parts]));
        if (!File.Exists(p) && !Directory.Exists(p))
            throw new FileNotFoundException($"Shared test data missing: {p}. The tests expect ../shared beside the repository.", p);
        return p;
    }
}
