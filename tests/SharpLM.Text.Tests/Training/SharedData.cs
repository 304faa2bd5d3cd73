// SharedData: finds ../shared/data beside the repository (the folder holding SharpLM.slnx) and fails loudly
// when a file is missing; these tests never skip.
namespace SharpLM.Text.Tests.Training;

internal static class SharedData
{
    public static string Path(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "SharpLM.slnx"))) dir = dir.Parent;
        if (dir == null) throw new InvalidOperationException($"SharedData: no SharpLM.slnx above {AppContext.BaseDirectory}.");
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data", relative));
        if (!File.Exists(full)) throw new FileNotFoundException($"SharedData: required test data {full} is missing.", full);
        return full;
    }
}
