// BaichuanNormHead: Baichuan 2 replaces the LM head by a "NormHead" — logits are taken against the
// L2-normalised rows of lm_head.weight (F.normalize, eps 1e-12), which its remote code normalises once on the
// first inference call. Baichuan 2 configs carry z_loss_weight (Baichuan 1's do not; SharpLM never writes it,
// so a re-saved model is not normalised twice). Such checkpoints get their head rows normalised at load, so the plain linear head of
// DecoderModel and the engine computes Baichuan 2's logits (a model saved again stores the normalised rows and
// reads back as Baichuan 1 with the same numbers). Fine-tuning then trains the plain head.
using System.Text.Json;
using SharpLM.Tensors;

namespace SharpLM.Models.Families.Baichuan;

public static class BaichuanNormHead
{
    /// <summary>Whether the config is Baichuan 2's (NormHead).</summary>
    public static bool Applies(JsonElement config) => config.TryGetProperty("z_loss_weight", out _);

    public static void Prepare(JsonElement config, Dictionary<string, Tensor> state)
    {
        if (!Applies(config) || !state.TryGetValue("lm_head.weight", out var head)) return;
        int rows = head.Shape[0], cols = head.Shape[1];
        var w = head.ToArray();
        for (int r = 0; r < rows; r++)
        {
            var row = w.AsSpan(r * cols, cols);
            double ss = 0;
            foreach (var x in row) ss += (double)x * x;
            float inv = (float)(1.0 / Math.Max(Math.Sqrt(ss), 1e-12));
            for (int i = 0; i < cols; i++) row[i] *= inv;
        }
        state["lm_head.weight"] = Tensor.FromArray(w, rows, cols);
    }
}
