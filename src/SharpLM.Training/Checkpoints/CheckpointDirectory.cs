// CheckpointDirectory: a training checkpoint as a folder a user can open elsewhere —
//   model.safetensors + config.json   the weights under Hugging Face LLaMA names (loadable by HF tools)
//   optimizer.safetensors             AdamW moments (exp_avg.*, exp_avg_sq.*) and the step count
//   tokenizer.json                    the character vocabulary
//   trainer_state.json                step, run id, data-sampler RNG state
// Every file is written to a temporary name and renamed; the folder is replaced as a whole (write to
// "<path>.tmp", then swap), so a kill -9 at any moment leaves either the old or the new checkpoint.
using System.Text.Json;
using SharpLM.Models.Families;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Training.Data;
using SharpLM.Training.Optim;

namespace SharpLM.Training.Checkpoints;

/// <summary>Resume state of the training loop.</summary>
public sealed record TrainerState(long Step, long RunId, ulong[] SamplerState, ulong[] DropoutState);

/// <summary>Saves and restores complete training state.</summary>
public sealed class CheckpointDirectory(string path)
{
    public string Path { get; } = path;

    public bool Exists => File.Exists(System.IO.Path.Combine(Path, "trainer_state.json"));

    public void Save(DecoderModel model, IOptimizer opt, CorpusTokenizer tok, TrainerState state) => ReplaceFolder(Path, tmp =>
    {
        HfConfigWriter.Write(model.Config, tmp);
        SafetensorsWriter.Write(System.IO.Path.Combine(tmp, "model.safetensors"), model.NamedParameters().Select(p => KeyValuePair.Create(p.Name, p.Param)));
        SafetensorsWriter.Write(System.IO.Path.Combine(tmp, "optimizer.safetensors"), opt.State);
        File.WriteAllText(System.IO.Path.Combine(tmp, "tokenizer.json"), tok.Json);
        File.WriteAllText(System.IO.Path.Combine(tmp, "trainer_state.json"), JsonSerializer.Serialize(new
        {
            step = state.Step, run_id = state.RunId, optimizer_steps = opt.Steps,
            sampler_state = state.SamplerState.Select(s => s.ToString()).ToArray(),
            dropout_state = state.DropoutState.Select(s => s.ToString()).ToArray(),
        }));
    });

    /// <summary>
    /// Writes a folder as a whole: <paramref name="write"/> fills "&lt;path&gt;.tmp", which then replaces
    /// <paramref name="path"/> (the old one is moved aside first), so a crash leaves the old or the new folder.
    /// </summary>
    public static void ReplaceFolder(string path, Action<string> write)
    {
        string tmp = path + ".tmp", old = path + ".old";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        try { write(tmp); }
        catch
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { } // a full disk leaves no checkpoint.tmp behind
            throw;
        }
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(path)) Directory.Move(path, old);
        Directory.Move(tmp, path);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    /// <summary>A folder that <see cref="ReplaceFolder"/> was interrupted in the middle of replacing is restored.</summary>
    public static void Recover(string path, string marker)
    {
        if (!File.Exists(System.IO.Path.Combine(path, marker)) && Directory.Exists(path + ".old")) Directory.Move(path + ".old", path);
    }

    public TrainerState Load(DecoderModel model, IOptimizer opt, CorpusTokenizer tok)
    {
        Recover(Path, "trainer_state.json"); // crashed between the two renames
        var st = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Path, "trainer_state.json"))).RootElement;
        if (File.ReadAllText(System.IO.Path.Combine(Path, "tokenizer.json")) != tok.Json)
            throw new InvalidOperationException($"{Path}: the checkpoint's tokenizer differs from the corpus's; resume with the same data.");
        using (var scope = TensorScope.Begin())
        {
            using var weights = SafetensorsFile.Open(System.IO.Path.Combine(Path, "model.safetensors"));
            model.LoadStateDict(weights.Tensors.ToDictionary(t => t.Name, t => t.ToTensor()));
            using var moments = SafetensorsFile.Open(System.IO.Path.Combine(Path, "optimizer.safetensors"));
            opt.LoadState(moments.Tensors.ToDictionary(t => t.Name, t => t.ToTensor()), st.GetProperty("optimizer_steps").GetInt64());
        }
        return new TrainerState(st.GetProperty("step").GetInt64(), st.GetProperty("run_id").GetInt64(),
            st.GetProperty("sampler_state").EnumerateArray().Select(e => ulong.Parse(e.GetString()!)).ToArray(),
            st.GetProperty("dropout_state").EnumerateArray().Select(e => ulong.Parse(e.GetString()!)).ToArray());
    }
}
