// HfSlidingWindow: Mistral/Qwen2 configs may ask for sliding-window attention. SharpLM attends over the whole
// context, which equals a sliding window only when the window covers every position; anything else is refused
// (Mistral 7B v0.1's 4096 window over a 32768 context would give different numbers past 4096 tokens).
using System.Text.Json;

namespace SharpLM.Models.Families.Hf;

public static class HfSlidingWindow
{
    /// <param name="enabledByDefault">transformers' default of use_sliding_window (false for Qwen2; Mistral has no such key).</param>
    public static void Check(HfConfigReader r, int maxPositions, bool enabledByDefault)
    {
        // Qwen2 keeps a window size in the config but switches it off with use_sliding_window: false.
        bool enabled = r.Bool("use_sliding_window", enabledByDefault);
        int? window = r.IntOrNull("sliding_window");
        r.Accept("max_window_layers");
        if (r.Raw("layer_types") is { } types)
        {
            if (types.ValueKind != JsonValueKind.Array) throw new FormatException($"{r.Source}: layer_types should be an array.");
            foreach (var t in types.EnumerateArray())
                if (t.ValueKind != JsonValueKind.String || (t.GetString() != "full_attention" && !(t.GetString() == "sliding_attention" && (!enabled || window is null || window >= maxPositions))))
                    throw r.Unsupported("layer_types entry", t.GetRawText(), "\"full_attention\" (sliding-window layers are not supported)");
        }
        if (enabled && window is int w && w < maxPositions)
            throw r.Unsupported("sliding_window", w.ToString(), $"null or at least max_position_embeddings ({maxPositions}); sliding-window attention is not supported");
    }
}
