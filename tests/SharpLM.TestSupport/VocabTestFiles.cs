// VocabTestFiles: llama.cpp's tokenizer test vectors (models/ggml-vocab-*.gguf.inp / .out: HF tokenizers' ids for
// each input string), read for the Text tests and for the tests of GGUF files that carry those vocabularies.
namespace SharpLM.TestSupport;

public static class VocabTestFiles
{
    /// <summary>The strings of a llama.cpp .inp file (separated by a line "__ggml_vocab_test__").</summary>
    public static List<string> ReadInputs(string path)
    {
        const string sep = "\n__ggml_vocab_test__\n";
        string all = File.ReadAllText(path);
        var result = new List<string>();
        int pos = 0;
        while (true)
        {
            int next = all.IndexOf(sep, pos, StringComparison.Ordinal);
            if (next < 0) break;
            result.Add(all[pos..next]);
            pos = next + sep.Length;
        }
        return result;
    }

    /// <summary>The expected ids of a llama.cpp .out file, one line per input.</summary>
    public static List<int[]> ReadOutputs(string path) =>
        File.ReadAllLines(path).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()).ToList();
}
