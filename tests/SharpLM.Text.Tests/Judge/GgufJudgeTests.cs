// GgufJudgeTests: replays Fixtures/judge/llama-cpp.json, the ids llama.cpp's llama-tokenize gives
// (tests/oracles/judge/llama_tokenize_vectors.mjs) for our own strings (Fixtures/judge/strings.json: scripts, astral
// letters and digits, emoji with ZWJ, numbers, whitespace runs, code, special-token look-alikes) on every shared GGUF
// vocabulary and on variants of GPT-2's: each tokenizer.ggml.pre name, the key absent, an unknown name, byte tokens
// missing. The variants are derived here from the same file with the same edits (gguf_edit.mjs's applyEdits).
using System.Text.Json;
using SharpLM.Formats.Gguf;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Judge;

public class GgufJudgeTests
{
    private static readonly Lazy<(JsonDocument Doc, string[] Strings)> Fixture = new(() =>
        (JsonDocument.Parse(File.ReadAllText(SharedData.Fixture("judge/llama-cpp.json"))),
         JsonSerializer.Deserialize<string[]>(File.ReadAllText(SharedData.Fixture("judge/strings.json")))!));

    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var v in Fixture.Value.Doc.RootElement.GetProperty("variants").EnumerateObject()) data.Add(v.Name);
        return data;
    }

    /// <summary>The metadata of a variant: the shared file with the variant's edits applied.</summary>
    internal static GgufMetadata Metadata(JsonElement variant)
    {
        string file = SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{variant.GetProperty("base").GetString()}.gguf");
        var md = GgufTokenizerLoader.ReadMetadata(file);
        var pairs = md.Pairs.ToList();
        var edits = variant.GetProperty("edits");
        if (edits.TryGetProperty("pre", out var pre))
        {
            pairs.RemoveAll(p => p.Key == GgufKeys.TokenizerPre);
            if (pre.ValueKind == JsonValueKind.String) pairs.Add(new(GgufKeys.TokenizerPre, GgufValue.String(pre.GetString()!)));
        }
        void EditArray<T>(string key, string edit, Func<JsonElement, T> value, Func<GgufMetadata, T[]> get, Func<T[], GgufValue> make)
        {
            if (!edits.TryGetProperty(edit, out var e)) return;
            var arr = get(md).ToArray();
            foreach (var p in e.EnumerateObject()) arr[int.Parse(p.Name)] = value(p.Value);
            int i = pairs.FindIndex(p => p.Key == key);
            pairs[i] = new(key, make(arr));
        }
        EditArray(GgufKeys.TokenizerTokens, "renameTokens", v => v.GetString()!, m => m.GetStringArray(GgufKeys.TokenizerTokens)!, GgufValue.Array);
        EditArray(GgufKeys.TokenizerTokenType, "tokenTypes", v => v.GetInt32(), m => m.GetInt32Array(GgufKeys.TokenizerTokenType)!, GgufValue.Array);
        return new GgufMetadata(file, pairs);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EncodeMatchesLlamaCpp(string name)
    {
        var (doc, strings) = Fixture.Value;
        var variant = doc.RootElement.GetProperty("variants").GetProperty(name);
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("v").GetString() == name).ToList();
        Assert.NotEmpty(cases);
        if (cases[0].TryGetProperty("error", out _))
        {
            // llama.cpp refuses the file; so must we, naming the value.
            var e = Assert.Throws<InvalidDataException>(() => GgufTokenizerLoader.Load(Metadata(variant)));
            Assert.Contains(variant.GetProperty("edits").GetProperty("pre").GetString()!, e.Message);
            return;
        }
        var tok = GgufTokenizerLoader.Load(Metadata(variant));
        var failures = new List<string>();
        foreach (var c in cases)
        {
            string text = strings[c.GetProperty("s").GetInt32()];
            bool special = c.GetProperty("special").GetBoolean();
            int[] expected = c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            int[] got = tok.Encode(text, addSpecial: false, parseSpecial: special);
            if (!got.SequenceEqual(expected))
                failures.Add($"\"{JsonEncodedText.Encode(text)}\"{(special ? " (special)" : "")}: llama.cpp [{string.Join(' ', expected)}] ours [{string.Join(' ', got)}]");
        }
        Assert.True(failures.Count == 0, $"{name}: {failures.Count} of {cases.Count} differ:\n" + string.Join("\n", failures.Take(15)));
    }
}
