using SharpLM.Text.Training;
using Xunit;

namespace SharpLM.Text.Tests.Training;

public class WordPieceTrainerTests
{
    [Fact]
    public void Bert_pre_tokenization_splits_punctuation_and_cjk_and_strips_accents()
    {
        Assert.Equal(["hello", ",", "naive", "cafe", "!", "中", "文", "x", "$", "5"], BertPreTokenizer.Split("Héllo, naïve CAFÉ! 中文x$5"));
        Assert.Equal(["Héllo"], BertPreTokenizer.Split("Héllo", lowercase: false));
    }

    [Fact]
    public void Trains_bert_vocab_with_specials_and_continuations()
    {
        var text = File.ReadAllText(SharedData.Path("corpora/tinyshakespeare.txt"));
        var options = new WordPieceTrainerOptions { VocabSize = 2000 };
        var vocab = WordPieceTrainer.Train([text], options);
        Assert.Equal(2000, vocab.Count);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], vocab.Take(5));
        Assert.Equal(vocab.Count, vocab.Distinct().Count());
        Assert.Contains("the", vocab);
        Assert.Contains("##s", vocab);
        Assert.Contains(vocab, t => t.StartsWith("##") && t.Length > 3);
        Assert.Equal(vocab, WordPieceTrainer.Train([text], options));   // deterministic

        // Greedy longest-match-first (BERT's WordPiece) covers every word of the corpus with this vocab.
        var set = vocab.ToHashSet();
        foreach (var word in BertPreTokenizer.Split(text.Substring(0, 20000)).Distinct())
        {
            int start = 0;
            while (start < word.Length)
            {
                int end = word.Length;
                string? piece = null;
                while (end > start)
                {
                    var cand = (start > 0 ? "##" : "") + word[start..end];
                    if (set.Contains(cand)) { piece = cand; break; }
                    end--;
                }
                Assert.True(piece != null, $"'{word}' cannot be split at {start}");
                start = end;
            }
        }
    }
}
