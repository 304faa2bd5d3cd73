// HfJudgeTests: replays Fixtures/judge/hf-tokenizers.json, the ids HF tokenizers (npm `tokenizers`) gives
// (tests/oracles/judge/hf_tokenizers_vectors.mjs) for our strings on GPT-2's vocabulary written as tokenizer.json with
// each variant's patch: pre-tokenizer types and Split behaviors, ByteLevel add_prefix_space / use_regex, missing
// byte tokens (with and without unk_token / fuse_unk), added tokens with lstrip / rstrip / single_word. The
// tokenizer.json is built here exactly as the script builds it (baseJson + applyVariant).
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Judge;

public class HfJudgeTests
{
    private static readonly Lazy<(JsonDocument Doc, string[] Strings)> Fixture = new(() =>
    {
        var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Fixture("judge/hf-tokenizers.json")));
        var strings = JsonSerializer.Deserialize<string[]>(File.ReadAllText(SharedData.Fixture("judge/strings.json")))!
            .Concat(doc.RootElement.GetProperty("extraStrings").EnumerateArray().Select(e => e.GetString()!)).ToArray();
        return (doc, strings);
    });

    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var v in Fixture.Value.Doc.RootElement.GetProperty("variants").EnumerateObject()) data.Add(v.Name);
        return data;
    }

    private static JsonObject BaseJson()
    {
        var vocab = JsonNode.Parse(File.ReadAllText(SharedData.File_("tokenizers/gpt2/vocab.json")))!.AsObject();
        var merges = new JsonArray(File.ReadAllLines(SharedData.File_("tokenizers/gpt2/merges.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).Select(l => (JsonNode)l).ToArray());
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 50256, ["content"] = "<|endoftext|>", ["single_word"] = false,
                ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject { ["type"] = "BPE", ["unk_token"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = merges },
        };
    }

    private static JsonObject Apply(JsonObject j, JsonElement v)
    {
        if (v.TryGetProperty("set", out var set)) foreach (var p in set.EnumerateObject()) j[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        var model = j["model"]!.AsObject();
        if (v.TryGetProperty("model", out var m)) foreach (var p in m.EnumerateObject()) model[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        if (v.TryGetProperty("renameVocab", out var rn))
        {
            var vocab = model["vocab"]!.AsObject();
            var gone = new HashSet<string>();
            foreach (var p in rn.EnumerateObject())
            {
                var id = vocab[p.Name]!.GetValue<int>();
                vocab.Remove(p.Name);
                vocab[p.Value.GetString()!] = id;
                gone.Add(p.Name);
            }
            var kept = model["merges"]!.AsArray().Select(x => x!.GetValue<string>())
                .Where(s => { var sp = s.Split(' '); return !gone.Contains(sp[0]) && !gone.Contains(sp[1]) && !gone.Contains(sp[0] + sp[1]); })
                .Select(s => (JsonNode)s).ToArray();
            model["merges"] = new JsonArray(kept);
        }
        if (v.TryGetProperty("addedTokens", out var at))
            foreach (var t in at.EnumerateArray()) j["added_tokens"]!.AsArray().Add(JsonNode.Parse(t.GetRawText()));
        return j;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EncodeMatchesHfTokenizers(string name)
    {
        var (doc, strings) = Fixture.Value;
        var json = Apply(BaseJson(), doc.RootElement.GetProperty("variants").GetProperty(name));
        using var parsed = JsonDocument.Parse(json.ToJsonString());
        var tok = HfTokenizerJsonReader.Load(parsed.RootElement, null, $"variant {name}");
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("v").GetString() == name).ToList();
        Assert.NotEmpty(cases);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            string text = strings[c.GetProperty("s").GetInt32()];
            int[] expected = c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            int[] got = tok.Encode(text, addSpecial: false, parseSpecial: true);
            if (!got.SequenceEqual(expected))
                failures.Add($"\"{JsonEncodedText.Encode(text)}\": HF [{string.Join(' ', expected)}] ours [{string.Join(' ', got)}]");
        }
        Assert.True(failures.Count == 0, $"{name}: {failures.Count} of {cases.Count} differ:\n" + string.Join("\n", failures.Take(12)));
    }
}
