// DecoderFamilies: the one registry of decoder families. Each entry names the Hugging Face architectures and
// model types a family reads, its config.json mapping both ways (Families/<Family>/*HfConfig.cs), its
// weight-name table and its GGUF layout (Families/<Family>/*Gguf.cs). HfConfig, HfConfigWriter and ModelFile look families up here instead of switching on them;
// adding a family is a folder plus one line below (docs/add-a-family.md).
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Models.Families.Baichuan;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Families.Gpt2;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Families.Qwen2;
using SharpLM.Models.Families.Qwen3;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Models.Families;

/// <summary>What is true of one decoder family.</summary>
/// <param name="Name">Short name, e.g. "llama".</param>
/// <param name="Family">The weight-name family its configs carry.</param>
/// <param name="HfArchitectures">config.json "architectures" values (and "model_type" values) it maps.</param>
/// <param name="FromHf">config.json → DecoderConfig; must read or refuse every key that changes the numbers.</param>
/// <param name="ToHf">DecoderConfig → config.json.</param>
/// <param name="Writes">Whether this entry is the one that writes a given config (first match wins).</param>
/// <param name="Gguf">llama.cpp's GGUF form of the family (architecture name, tensor names, keys).</param>
/// <param name="Names">Hugging Face parameter names the module tree registers.</param>
/// <param name="Presets">Published configurations by CLI name (model info --preset).</param>
/// <param name="PrepareHfWeights">Rewrites HF weights that the checkpoint stores in a form the module tree does not
/// compute (Baichuan 2's NormHead), given the raw config.json; null when the weights load as they are.</param>
public sealed record DecoderFamily(
    string Name, ModelFamily Family, IReadOnlyList<string> HfArchitectures,
    Func<HfConfigReader, DecoderConfig> FromHf, Func<DecoderConfig, JsonObject> ToHf, Func<DecoderConfig, bool> Writes,
    GgufLayout Gguf, DecoderNames Names, IReadOnlyDictionary<string, DecoderConfig> Presets,
    Action<JsonElement, Dictionary<string, Tensor>>? PrepareHfWeights = null);

/// <summary>The registry of decoder families.</summary>
public static class DecoderFamilies
{
    /// <summary>Every family, in lookup order (Qwen3 and Qwen2 before LLaMA: all use LLaMA names; Qwen3 writes configs with
    /// per-head q/k norms, Qwen2 biased ones).</summary>
    public static readonly IReadOnlyList<DecoderFamily> All =
        [Gpt2Family.Family, Qwen3Family.Family, Qwen2Family.Family, LlamaFamily.Family, BaichuanFamily.Family];

    /// <summary>The weight-name table of <paramref name="family"/>.</summary>
    public static DecoderNames Names(ModelFamily family) =>
        All.FirstOrDefault(f => f.Family == family)?.Names ?? throw new ArgumentOutOfRangeException(nameof(family), family, "no registered family has these names");

    /// <summary>The family that maps <paramref name="architecture"/> (case-insensitive), or null.</summary>
    public static DecoderFamily? ForHfArchitecture(string architecture) =>
        All.FirstOrDefault(f => f.HfArchitectures.Contains(architecture, StringComparer.OrdinalIgnoreCase));

    /// <summary>The family stored under GGUF general.architecture <paramref name="arch"/>, or null.</summary>
    public static DecoderFamily? ForGgufArch(string arch) => All.FirstOrDefault(f => f.Gguf.Arch == arch);

    /// <summary>"gpt2, qwen2, llama, baichuan" for error messages.</summary>
    public static string KnownGgufArchs => string.Join(", ", All.Select(f => f.Gguf.Arch));

    /// <summary>The family that writes <paramref name="c"/>.</summary>
    public static DecoderFamily For(DecoderConfig c) =>
        All.FirstOrDefault(f => f.Writes(c)) ?? throw new ArgumentOutOfRangeException(nameof(c), c.Family, "no registered family writes this config");

    /// <summary>"GPT2LMHeadModel, Qwen2ForCausalLM, …" for error messages.</summary>
    public static string KnownArchitectures => string.Join(", ", All.SelectMany(f => f.HfArchitectures).Where(a => a.Contains("For") || a.Contains("Model")));
}
