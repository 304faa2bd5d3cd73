using System.Text;
using SharpLM.Text.Training;
using Xunit;

namespace SharpLM.Text.Tests.Training;

public class SentencePieceBpeTrainerTests
{
    private static readonly Lazy<string> Tang = new(() => File.ReadAllText(SharedData.Path("corpora/tang-poems.txt")));
    private static readonly SentencePieceBpeTrainerOptions Options = new() { VocabSize = 8000, CharacterCoverage = 0.9995 };
    private static readonly Lazy<SentencePieceBpeModel> Model = new(() => SentencePieceBpeTrainer.Train([Tang.Value], Options));

    private static bool IsHan(char c) => c >= '\u4E00' && c <= '\u9FFF';

    [Fact]
    public void Most_frequent_chinese_bigrams_become_pieces()
    {
        var bigrams = new Dictionary<string, int>();
        var text = Tang.Value;
        for (int i = 0; i + 1 < text.Length; i++)
            if (IsHan(text[i]) && IsHan(text[i + 1])) bigrams[text.Substring(i, 2)] = bigrams.GetValueOrDefault(text.Substring(i, 2)) + 1;
        var pieces = Model.Value.Pieces.Select(p => p.Piece.TrimStart(SentencePieceBpeTrainer.SpaceMarker)).ToHashSet();
        var top = bigrams.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(20).Select(kv => kv.Key).ToList();
        // The top three are pieces themselves; every one of the top 20 is a piece or lies inside a merged piece
        // (overlapping bigrams compete: 曲歌 ends up inside 雜曲歌辭 via 雜曲 + 歌辭).
        foreach (var bigram in top.Take(3)) Assert.True(pieces.Contains(bigram), $"frequent bigram {bigram} is not a piece");
        foreach (var bigram in top)
            Assert.True(pieces.Any(p => p.Contains(bigram, StringComparison.Ordinal)), $"frequent bigram {bigram} is in no piece");
    }

    [Fact]
    public void Layout_scores_and_coverage()
    {
        var m = Model.Value;
        Assert.Equal(8000, m.Pieces.Count);
        Assert.Equal(("<unk>", PieceKind.Unknown), (m.Pieces[0].Piece, m.Pieces[0].Kind));
        Assert.Equal("<0x00>", m.Pieces[3].Piece);
        Assert.Equal("<0xFF>", m.Pieces[258].Piece);
        Assert.Equal(0f, m.Pieces[259].Score);
        Assert.Equal(-1f, m.Pieces[260].Score);
        Assert.Equal(m.Pieces.Count, m.Pieces.Select(p => p.Piece).Distinct().Count());
        long all = 0, covered = 0;
        foreach (var r in SentencePieceBpeTrainer.Escape(Tang.Value).EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(r)) continue;
            all++;
            if (m.Characters.Contains(r.ToString())) covered++;
        }
        Assert.True(covered >= 0.9995 * all, $"coverage {(double)covered / all}");
        Assert.True(covered < all, "some rare characters should be left to byte fallback");
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var again = SentencePieceBpeTrainer.Train([Tang.Value], Options);
        Assert.Equal(Model.Value.Pieces, again.Pieces);
        Assert.Equal(Model.Value.Merges, again.Merges);
        Assert.Equal(Model.Value.VocabTsv(), again.VocabTsv());
    }

    [Fact]
    public void Greedy_merge_encoding_round_trips_with_byte_fallback()
    {
        var m = Model.Value;
        var vocab = m.Pieces.Select((p, i) => (p.Piece, i)).ToDictionary(x => x.Piece, x => x.i);
        var rank = m.Merges.Select((mg, i) => (mg, i)).GroupBy(x => x.mg).ToDictionary(g => g.Key, g => g.First().i);
        var lines = Tang.Value.Split('\n').Where(l => l.Length > 0).Take(400).Append("床前明月光 abc 123 𠀀龘🙂").ToList();
        int byteFallbacks = 0;
        foreach (var line in lines)
        {
            var ids = new List<int>();
            foreach (var word in SentencePieceBpeTrainer.PreTokenize(line))
            {
                var syms = word.EnumerateRunes().Select(r => r.ToString()).ToList();
                while (true)
                {
                    int best = -1, bestRank = int.MaxValue;
                    for (int i = 0; i + 1 < syms.Count; i++)
                        if (rank.TryGetValue((syms[i], syms[i + 1]), out int r) && r < bestRank) { bestRank = r; best = i; }
                    if (best < 0) break;
                    syms[best] += syms[best + 1];
                    syms.RemoveAt(best + 1);
                }
                foreach (var s in syms)
                {
                    if (vocab.TryGetValue(s, out int id)) { ids.Add(id); continue; }
                    byteFallbacks++;
                    foreach (var b in Encoding.UTF8.GetBytes(s)) ids.Add(vocab[$"<0x{b:X2}>"]);
                }
            }
            var bytes = new List<byte>();
            foreach (var id in ids)
            {
                var p = m.Pieces[id];
                if (p.Kind == PieceKind.Byte) bytes.Add(Convert.ToByte(p.Piece[3..5], 16));
                else bytes.AddRange(Encoding.UTF8.GetBytes(p.Piece));
            }
            var decoded = Encoding.UTF8.GetString(bytes.ToArray()).Replace(SentencePieceBpeTrainer.SpaceMarker, ' ');
            Assert.Equal(" " + line.Replace("\r", ""), decoded);
        }
        Assert.True(byteFallbacks > 0);
    }
}
