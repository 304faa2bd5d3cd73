// OffsetTests: each token's character span must hold exactly the text the token decodes to (a token with part
// of a multi-byte character spans that whole character; SentencePiece's virtual "▁" prefix is clipped), spans
// must be ordered and within the text, and added tokens must point at where they were written.
using SharpLM.Text.Formats;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class OffsetTests
{
    [Theory]
    [InlineData("gpt-2")]
    [InlineData("deepseek-coder")]
    [InlineData("llama-spm")]
    [InlineData("phi-3")]
    public void SpansHoldTheTokenText(string name)
    {
        string gguf = SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{name}.gguf");
        var tok = GgufTokenizerLoader.Load(gguf);
        foreach (var text in SharedData.ReadVocabTestInputs(gguf + ".inp"))
        {
            var (ids, offsets) = tok.EncodeWithOffsets(text);
            Assert.Equal(tok.Encode(text), ids);
            int prevStart = 0;
            for (int k = 0; k < ids.Length; k++)
            {
                var (s, e) = offsets[k];
                Assert.InRange(s, prevStart, text.Length);
                Assert.InRange(e, s, text.Length);
                prevStart = s;
                bool spm = tok is SentencePieceBpeTokenizer;
                string piece = spm && tok.Vocab.Types[ids[k]] != TokenType.Byte ? tok.Vocab.Tokens[ids[k]].Replace('\u2581', ' ') : tok.Decode([ids[k]]);
                if (piece.Contains('\uFFFD')) continue; // part of a character: covered by the whole character
                if (spm && k == 0 && piece.StartsWith(' ')) piece = piece[1..]; // the virtual "▁" prefix has no text
                Assert.Equal(piece, text[s..e]);
            }
        }
    }

    [Fact]
    public void AddedTokenAndMultiByteSpans()
    {
        var tok = GgufTokenizerLoader.Load(SharedData.File_("tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf"));
        string text = "a🦙<|endoftext|>b";
        var (ids, offsets) = tok.EncodeWithOffsets(text, parseSpecial: true);
        int eot = Array.IndexOf(ids, 50256);
        Assert.Equal((3, 16), offsets[eot]);
        foreach (var (s, e) in offsets[..eot]) Assert.True(s >= 0 && e <= 3);
        Assert.Contains(offsets, o => o == (1, 3)); // a token holding a byte of the emoji spans its surrogate pair
        Assert.Equal((16, 17), offsets[^1]);
    }
}
