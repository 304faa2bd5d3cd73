// Fixtures: the small models and files the CLI tests run on — the PyTorch-checked llama_gqa HF folder of the Models
// tests (converted to GGUF by the CLI itself), GPT-2's vocab.json + merges.txt from ../shared, a tiny pretraining
// corpus and the config overrides that train a 1-layer model in a second.
using SharpLM.TestSupport;

namespace SharpLM.Cli.Tests;

public static class Fixtures
{
    /// <summary>The llama_gqa HF folder (config.json + model.safetensors, vocabulary 64, context 32).</summary>
    public static string LlamaHf => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", "llama_gqa");

    /// <summary>GPT-2's tokenizer folder (vocab.json + merges.txt).</summary>
    public static string Gpt2Tokenizer => RepoPaths.SharedData("tokenizers", "gpt2");

    /// <summary>A GGUF of llama_gqa written by `sharplm convert` into <paramref name="dir"/>.</summary>
    public static string Gguf(TempDir dir)
    {
        string path = dir["model.gguf"];
        if (!File.Exists(path)) Cli.Run("convert", LlamaHf, path).Succeeds();
        return path;
    }

    /// <summary>A few kilobytes of text for tokenizer and pretraining runs.</summary>
    public static string Corpus(TempDir dir)
    {
        var lines = Enumerable.Range(0, 300).Select(i => $"the cat {i % 7} sat on the mat {i % 5} and the dog ran {i % 3} times.");
        // "Once upon a time" is the prompt of pretrain's closing samples: its characters must be in a char vocabulary.
        return dir.Write("corpus.txt", "Once upon a time.\n" + string.Join("\n", lines) + "\n");
    }

    /// <summary>`key=value` overrides for a pretraining run of a few steps on a 1-layer char model.</summary>
    public static string[] TinyRun(string data, string outDir, int steps = 2) =>
        [$"data={data}", $"out_dir={outDir}", $"steps={steps}", "batch_size=2", "model.dim=16", "model.layers=1", "model.heads=2",
         "model.kv_heads=2", "model.ffn_dim=32", "model.max_positions=16", "eval_every=1", "eval_batches=1", "checkpoint_every=1",
         "warmup_steps=0", "sample_tokens=0"];

    /// <summary>A folder nothing can be created in, even by root (sysfs refuses new entries).</summary>
    public const string Unwritable = "/sys/sharplm-cli-test";
}
