// SftCheckpoint: exact-resume state of a fine-tuning run, as one folder replaced as a whole
// (CheckpointDirectory.ReplaceFolder): what is trained — the whole model (config.json + model.safetensors) or
// the PEFT adapter (adapter_config.json + adapter_model.safetensors, PEFT's layout) — the optimiser's moments
// (optimizer.safetensors) and trainer_state.json (step, run id, optimiser steps, the data source's position and
// the dropout RNG).
using System.Text.Json;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Training.Checkpoints;
using SharpLM.Training.Optim;

namespace SharpLM.Training.Sft;

/// <summary>Saves and restores a fine-tuning run.</summary>
public sealed class SftCheckpoint(string path)
{
    public string Path { get; } = path;

    public bool Exists
    {
        get { CheckpointDirectory.Recover(Path, "trainer_state.json"); return File.Exists(System.IO.Path.Combine(Path, "trainer_state.json")); }
    }

    public void Save(DecoderModel model, IPeftAdapter? adapter, IOptimizer opt, TrainerState state) => CheckpointDirectory.ReplaceFolder(Path, tmp =>
    {
        if (adapter is null) ModelFile.Save(model, tmp, ModelFileFormat.HfDirectory);
        else PeftAdapterFile.Save(tmp, adapter);
        SafetensorsWriter.Write(System.IO.Path.Combine(tmp, "optimizer.safetensors"), opt.State);
        File.WriteAllText(System.IO.Path.Combine(tmp, "trainer_state.json"), JsonSerializer.Serialize(new
        {
            step = state.Step, run_id = state.RunId, optimizer_steps = opt.Steps,
            sampler_state = state.SamplerState.Select(s => s.ToString()).ToArray(),
            dropout_state = state.DropoutState.Select(s => s.ToString()).ToArray(),
        }));
    });

    /// <summary>Loads the trained weights (model or adapter), the optimiser state and the loop state.</summary>
    public TrainerState Load(DecoderModel model, IPeftAdapter? adapter, IOptimizer opt)
    {
        var st = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Path, "trainer_state.json"))).RootElement;
        using (TensorScope.Begin())
        {
            string weights = System.IO.Path.Combine(Path, adapter is null ? "model.safetensors" : PeftAdapterFile.WeightsName);
            if (!File.Exists(weights)) throw new InvalidOperationException($"{Path}: {System.IO.Path.GetFileName(weights)} missing; the checkpoint is of another method.");
            using (var w = SafetensorsFile.Open(weights))
            {
                var dict = w.Tensors.ToDictionary(t => t.Name, t => t.ToTensor());
                if (adapter is null) model.LoadStateDict(dict); else adapter.LoadStateDict(dict);
            }
            using var moments = SafetensorsFile.Open(System.IO.Path.Combine(Path, "optimizer.safetensors"));
            opt.LoadState(moments.Tensors.ToDictionary(t => t.Name, t => t.ToTensor()), st.GetProperty("optimizer_steps").GetInt64());
        }
        return new TrainerState(st.GetProperty("step").GetInt64(), st.GetProperty("run_id").GetInt64(),
            st.GetProperty("sampler_state").EnumerateArray().Select(e => ulong.Parse(e.GetString()!)).ToArray(),
            st.GetProperty("dropout_state").EnumerateArray().Select(e => ulong.Parse(e.GetString()!)).ToArray());
    }
}
