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

    public void Save(DecoderModel model, IOptimizer opt, CorpusTokenizer tok, TrainerState state)
    {
        string tmp = Path + ".tmp", old = Path + ".old";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        try { WriteFolder(tmp, model, opt, tok, state); }
        catch
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { } // a full disk leaves no checkpoint.tmp behind
            throw;
        }
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(Path)) Directory.Move(Path, old);
        Directory.Move(tmp, Path);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    private static void WriteFolder(string tmp, DecoderModel model, IOptimizer opt, CorpusTokenizer tok, TrainerState state)
    {
        Directory.CreateDirectory(tmp);
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
    }

    public TrainerState Load(DecoderModel model, IOptimizer opt, CorpusTokenizer tok)
    {
        if (!Exists && Directory.Exists(Path + ".old")) Directory.Move(Path + ".old", Path); // crashed between the two renames
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
