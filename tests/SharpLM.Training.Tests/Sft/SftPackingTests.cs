// Packing several sessions into one row, with positions restarting per session and segment ids keeping attention
// inside each, gives every session exactly the loss (and the logits) it has alone — for a rotary LLaMA-style
// model, a learned-position GPT-2 model and an ALiBi model, with windows longer than one attention tile.
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;
using SharpLM.Training.Sft;
using Xunit;

namespace SharpLM.Training.Tests.Sft;

public class SftPackingTests
{
    public static TheoryData<string> Families => new() { "llama", "gpt2", "alibi" };

    private static DecoderConfig Config(string family) => family switch
    {
        "llama" => DecoderPresets.TinyLlama with { MaxPositions = 160 },
        "gpt2" => DecoderPresets.TinyGpt2 with { MaxPositions = 160 },
        _ => DecoderPresets.TinyLlama with { Positions = PositionKind.Alibi, MaxPositions = 160 },
    };

    private static SftExample[] Sessions(int vocab)
    {
        var g = new Generator(5);
        int[] lengths = [23, 70, 9, 41, 2, 33];
        return lengths.Select((n, s) =>
        {
            var ids = Enumerable.Range(0, n).Select(_ => g.NextInt(vocab)).ToArray();
            var turn = Enumerable.Range(0, n).Select(i => i < n / 3 ? -1 : (i * 2 / n)).ToArray();   // a prompt, then two "turns"
            return new SftExample(ids, turn);
        }).ToArray();
    }

    [Theory, MemberData(nameof(Families))]
    public void Each_packed_session_has_the_loss_it_has_alone(string family)
    {
        using var model = new DecoderModel(Config(family), seed: 4);
        model.Eval();
        var sessions = Sessions(model.Config.VocabSize);
        var source = new SftBatchSource(sessions, batch: 2, context: 100, pack: true, seed: 9);
        using var scope = TensorScope.Begin();
        var batch = source.Next();
        Assert.NotNull(batch.Segments);
        var logits = model.Forward(batch.X, batch.Positions, batch.Segments);
        var labels = batch.Labels;
        int packedSessions = batch.Session.Where(s => s >= 0).Distinct().Count();
        Assert.True(packedSessions >= 4, $"only {packedSessions} sessions packed");
        var x = batch.X.ToInt32Array();
        for (int s = 0; s < packedSessions; s++)
        {
            var at = Enumerable.Range(0, labels.Length).Where(i => batch.Session[i] == s).ToArray();
            int n = at.Count(i => labels[i] != -100);
            var w = new float[labels.Length];
            foreach (var i in at) if (labels[i] != -100) w[i] = 1f / n;
            float packed = Ops.WeightedCrossEntropy(logits, batch.Y, w).Item();

            using var ids = Tensor.FromArray(at.Select(i => x[i]).ToArray(), 1, at.Length);
            using var y = Tensor.FromArray(at.Select(i => labels[i]).ToArray(), 1, at.Length);
            float alone = DecoderModel.Loss(model.Forward(ids), y).Item();
            Assert.Equal(alone, packed, 5);
        }
    }

    [Fact]
    public void Packed_rows_restart_positions_and_pad_with_ignored_targets()
    {
        var sessions = Sessions(64);
        var source = new SftBatchSource(sessions, batch: 1, context: 100, pack: true, seed: 9);
        var b = source.Next();
        var pos = b.Positions.ToInt32Array();
        var seg = b.Segments!.ToInt32Array();
        for (int i = 1; i < pos.Length; i++)
            Assert.Equal(seg[i] == 0 ? 0 : seg[i] == seg[i - 1] ? pos[i - 1] + 1 : 0, pos[i]);
        var labels = b.Labels;
        for (int i = 0; i < labels.Length; i++) if (seg[i] == 0) Assert.Equal(-100, labels[i]);
    }

    [Fact]
    public void Resumed_source_draws_the_same_batches()
    {
        var sessions = Sessions(64);
        var a = new SftBatchSource(sessions, 2, 100, true, 7);
        for (int i = 0; i < 5; i++) a.Next();
        var state = a.State;
        var expected = a.Next().X.ToInt32Array();
        var b = new SftBatchSource(sessions, 2, 100, true, 7) { State = state };
        Assert.Equal(expected, b.Next().X.ToInt32Array());
    }
}
