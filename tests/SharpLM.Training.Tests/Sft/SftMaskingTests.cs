// SFT loss masking through a real chat template and tokenizer: Llama-2-chat's published Jinja template
// (Fixtures/sft/llama-2-chat.json, copied from meta-llama/Llama-2-7b-chat-hf's tokenizer_config.json) rendered by
// SharpLM's Jinja interpreter, tokenised by the Llama SentencePiece vocabulary (../shared GGUF vocab). A 3-turn
// session with a system prompt must have labels that are −100 exactly outside the assistant answers plus each
// answer's " </s>" end-of-turn (TRL's assistant_only_loss trains the end-of-turn token too): every trained target
// lies inside an answer span, every token of every answer span is trained, and the text of each turn's trained
// tokens is the answer followed by " </s>".
using System.Text.Json;
using SharpLM.Text.ChatTemplates;
using SharpLM.Text.Formats;
using SharpLM.Training.Sft;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Training.Tests.Sft;

public class SftMaskingTests
{
    internal static JinjaChatTemplate Llama2Template()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sft", "llama-2-chat.json")));
        var r = doc.RootElement;
        return new JinjaChatTemplate(r.GetProperty("template").GetString()!, r.GetProperty("bos_token").GetString()!, r.GetProperty("eos_token").GetString()!);
    }

    internal static SftTokenizer LlamaTokenizer() => SftTokenizer.From(ModelTokenizer.For(RepoPaths.SharedData("tokenizers", "gguf-vocab", "ggml-vocab-llama-spm.gguf")));

    internal static readonly ChatMessage[] ThreeTurns =
    [
        ChatMessage.System("You answer in one short sentence."),
        ChatMessage.User("What is the capital of France?"),
        ChatMessage.Assistant("Paris is the capital of France."),
        ChatMessage.User("And of Italy?"),
        ChatMessage.Assistant("Rome."),
        ChatMessage.User("Add 2 and 3."),
        ChatMessage.Assistant("2 + 3 = 5."),
    ];

    [Fact]
    public void Three_turn_labels_are_ignored_exactly_outside_the_answers()
    {
        var tok = LlamaTokenizer();
        var encoder = new SftEncoder(tok, Llama2Template());
        var rendering = encoder.Template.Render(ThreeTurns);
        Assert.StartsWith("<s>[INST] <<SYS>>\nYou answer in one short sentence.\n<</SYS>>\n\nWhat is the capital of France? [/INST] Paris is the capital of France. </s><s>[INST] And of Italy? [/INST] Rome. </s>", rendering.Text);
        var e = encoder.Encode(ThreeTurns)!;
        var (ids, offsets) = tok.Encode(rendering.Text);
        Assert.Equal(ids, e.Ids);

        // The answer spans as the test computes them from the text: each answer's characters through the " </s>" after it.
        string[] answers = ["Paris is the capital of France.", "Rome.", "2 + 3 = 5."];
        var spans = new List<(int Start, int End)>();
        int from = 0;
        foreach (var a in answers)
        {
            int s = rendering.Text.IndexOf(" " + a + " </s>", from, StringComparison.Ordinal) + 1;
            Assert.True(s > 0, a);
            spans.Add((s, s + a.Length + " </s>".Length));
            from = s;
        }

        var labels = e.Labels();
        Assert.Equal(ids.Length - 1, labels.Length);
        var trainedText = new string[3];
        for (int i = 0; i < labels.Length; i++)
        {
            var (a, b) = offsets[i + 1];
            int turn = spans.FindIndex(sp => a < sp.End && b > sp.Start);
            if (turn < 0) Assert.Equal(-100, labels[i]);
            else
            {
                Assert.Equal(ids[i + 1], labels[i]);
                trainedText[turn] += rendering.Text[a..b];
            }
        }
        // Each turn's trained tokens spell "answer </s>". SentencePiece's "▁Paris" and "▁Rome" carry the template's
        // space before the answer and are trained; before "2" the space is a token of its own ("▁"), wholly template
        // text, and is not — as with Hugging Face's assistant-token masks, which map the same character spans.
        Assert.Equal([" Paris is the capital of France. </s>", " Rome. </s>", "2 + 3 = 5. </s>"], trainedText);
        Assert.Equal(Enumerable.Range(0, 3), e.LabelTurns().Where(x => x >= 0).Distinct().Order());
        // The end-of-turn is the tokenizer's </s> (id 2), trained three times.
        Assert.Equal(3, labels.Count(l => l == 2));
    }

    [Fact]
    public void End_of_turn_can_be_named_or_left_out()
    {
        var chars = SftTokenizer.From(ModelTokenizer.TryFor(CharVocab())!);
        var template = new ChatMLTemplate { DefaultSystemPrompt = null };
        var conv = new[] { ChatMessage.User("hi"), ChatMessage.Assistant("yo") };
        // A character vocabulary has no special tokens: nothing but the answer is trained unless end_of_turn names the marker.
        var plain = new SftEncoder(chars, template).Encode(conv)!;
        var named = new SftEncoder(chars, template, "<|im_end|>").Encode(conv)!;
        string text = template.Render(conv).Text;
        Assert.Equal("yo", Trained(text, plain));
        Assert.Equal("yo<|im_end|>", Trained(text, named));
    }

    [Fact]
    public void Conversation_without_an_assistant_turn_is_skipped_and_counted()
    {
        var encoder = new SftEncoder(LlamaTokenizer(), Llama2Template());
        var data = SftData.Encode([[ChatMessage.User("hello")], ThreeTurns], encoder, maxTokens: 4096);
        Assert.Equal(2, data.Conversations);
        Assert.Equal(1, data.SkippedNoAssistant);
        Assert.Single(data.Examples);
    }

    private static string Trained(string text, SftExample e) => new(text.Where((_, i) => e.Turn[i] >= 0).ToArray());

    /// <summary>A folder with SharpLM's character vocabulary (tokenizer.json) covering the ChatML text.</summary>
    private static string CharVocab()
    {
        var dir = Directory.CreateTempSubdirectory("sft-char").FullName;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), SharpLM.Text.Char.CharTokenizer.FromCorpus("<|im_start|>user\nhi<|im_end|>assistant yo").ToJson());
        return dir;
    }
}
