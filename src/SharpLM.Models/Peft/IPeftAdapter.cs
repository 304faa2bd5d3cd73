// IPeftAdapter: one parameter-efficient fine-tuning method attached to a model (LoRA on some projections, a
// learned prefix, virtual prompt tokens, …). Every method is saved the way Hugging Face PEFT saves it — an
// adapter_config.json with PEFT's field names and an adapter_model.safetensors with PEFT's tensor names — so the
// file layer (PeftAdapterFile) and the trainer (which optimises only Parameters) treat all methods alike.
using System.Text.Json.Nodes;
using SharpLM.Tensors;

namespace SharpLM.Models.Peft;

/// <summary>An adapter attached to a model: its trainable tensors and how PEFT names and configures them.</summary>
public interface IPeftAdapter
{
    /// <summary>PEFT's <c>peft_type</c>: LORA (also DoRA/rsLoRA through its fields), IA3, PREFIX_TUNING, PROMPT_TUNING, P_TUNING, ADAPTION_PROMPT; HOULSBY for ours.</summary>
    string PeftType { get; }

    /// <summary>The adapter's name ("default" unless several adapters share a model).</summary>
    string Name { get; }

    /// <summary>The adapter_config.json object, with PEFT's field names and values.</summary>
    JsonObject ConfigJson();

    /// <summary>The trainable tensors (what the optimiser updates; the base model stays frozen).</summary>
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The tensors under the names PEFT writes into adapter_model.safetensors (shares storage).</summary>
    IReadOnlyDictionary<string, Tensor> StateDict();

    /// <summary>
    /// Copies tensors saved under PEFT's names into the adapter. A missing or unexpected name, or a shape that differs,
    /// is an error naming the tensor and both shapes (an adapter trained for another base model).
    /// </summary>
    void LoadStateDict(IReadOnlyDictionary<string, Tensor> state);

    /// <summary>Takes the adapter out of the model, restoring the modules it wrapped.</summary>
    void Detach();
}
