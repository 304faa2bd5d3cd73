// SharedData: locates ../shared/data relative to the repository root (the folder holding SharpLM.slnx) and
// fails loudly when a file is missing — these tests never skip.
namespace SharpLM.Text.Tests;

internal static class SharedData
{
    /// <summary>Full path of a file under ../shared/data (via TestSupport.RepoPaths); throws when it does not exist.</summary>
    public static string File_(string relative) => SharpLM.TestSupport.RepoPaths.SharedData(relative.Split('/'));

    public static string Fixture(string name)
    {
        string p = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        if (!File.Exists(p)) throw new FileNotFoundException($"Fixture missing: {p}", p);
        return p;
    }

    /// <summary>The strings of a llama.cpp .inp file (separated by a line "__ggml_vocab_test__").</summary>
    public static List<string> ReadVocabTestInputs(string path) => SharpLM.TestSupport.VocabTestFiles.ReadInputs(path);

    /// <summary>The expected ids of a llama.cpp .out file, one line per input.</summary>
    public static List<int[]> ReadVocabTestOutputs(string path) => SharpLM.TestSupport.VocabTestFiles.ReadOutputs(path);
}
