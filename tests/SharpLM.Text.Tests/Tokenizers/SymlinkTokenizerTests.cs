// Tokenizer files reached through symbolic links (as in the Hugging Face hub cache): a GGUF vocabulary,
// tokenizer.json, vocab.json + merges.txt, SentencePiece tokenizer.model and llama2.c tokenizer.bin each give the
// same ids through an absolute link, a relative link and a folder of links as the real file; a model folder whose
// tokenizer.json and tokenizer_config.json are links gives its tokenizer and chat template; a dangling
// tokenizer.json stops with the link and its target named.
using SharpLM.Formats;
using SharpLM.Text.Formats;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public sealed class SymlinkTokenizerTests : IDisposable
{
    private const string Sample = "Hello world, symbolic links: ../../blobs/3f2a — ok?";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-symtok-" + Guid.NewGuid().ToString("N")[..8]);

    public SymlinkTokenizerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>A real folder per form holding its tokenizer file(s); returns the path TokenizerLoader is given.</summary>
    private string Real(string form)
    {
        string real = Path.Combine(_dir, "real-" + form);
        Directory.CreateDirectory(real);
        string gpt2 = SharedData.File_("tokenizers/gpt2"), llama2 = SharedData.File_("tokenizers/llama2");
        switch (form)
        {
            case "gguf": File.Copy(SharedData.File_("tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf"), Path.Combine(real, "vocab.gguf")); return Path.Combine(real, "vocab.gguf");
            case "tokenizer.json": HfTokenizerJsonWriter.Write(TokenizerLoader.Load(gpt2), Path.Combine(real, "tokenizer.json")); return Path.Combine(real, "tokenizer.json");
            case "vocab.json":
                foreach (var f in new[] { "vocab.json", "merges.txt" }) File.Copy(Path.Combine(gpt2, f), Path.Combine(real, f));
                return Path.Combine(real, "vocab.json");
            default: File.Copy(Path.Combine(llama2, form), Path.Combine(real, form)); return Path.Combine(real, form); // tokenizer.model, tokenizer.bin
        }
    }

    [Theory]
    [InlineData("gguf")]
    [InlineData("tokenizer.json")]
    [InlineData("vocab.json")]
    [InlineData("tokenizer.model")]
    [InlineData("tokenizer.bin")]
    public void EveryTokenizerFileLoadsThroughLinks(string form)
    {
        string real = Real(form);
        var expected = TokenizerLoader.Load(real).Encode(Sample);
        Assert.True(expected.Length > 8);
        if (form is "gguf" or "tokenizer.json" or "vocab.json") Assert.Equal([15496, 995], TokenizerLoader.Load(real).Encode("Hello world")); // GPT-2's ids
        string name = Path.GetFileName(real);
        string folder = LinkTrees.LinkedFolder(Path.Combine(_dir, "links-abs-" + form), Path.GetDirectoryName(real)!, relative: false);
        string relFolder = LinkTrees.LinkedFolder(Path.Combine(_dir, "links-rel-" + form), Path.GetDirectoryName(real)!, relative: true);
        foreach (var path in new[] { Path.Combine(folder, name), Path.Combine(relFolder, name), folder, relFolder })
            Assert.Equal(expected, TokenizerLoader.Load(path).Encode(Sample));
        if (form == "gguf") // a GGUF model path: the vocabulary inside it, through the link
            Assert.Equal(expected, ModelVocabulary.TryLoadTokenizer(Path.Combine(relFolder, name))!.Encode(Sample));
    }

    [Fact]
    public void AModelFolderOfLinksGivesItsTokenizerAndTemplate()
    {
        string real = Path.GetDirectoryName(Real("tokenizer.json"))!;
        File.WriteAllText(Path.Combine(real, "tokenizer_config.json"), """{"eos_token": "<|endoftext|>", "chat_template": "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"}""");
        File.WriteAllText(Path.Combine(real, "config.json"), "{}");
        string cache = LinkTrees.HubCache(_dir, "org/tok", real, "feedface");
        foreach (var path in new[] { LinkTrees.LinkedFolder(Path.Combine(_dir, "links"), real, relative: true), cache })
        {
            var tok = ModelTokenizer.For(path);
            Assert.Equal([15496, 995], tok.Encode("Hello world"));
            Assert.Equal(50256, tok.Eos);
            Assert.Equal("<user>hi", tok.Template.Render([SharpLM.Text.ChatTemplates.ChatMessage.User("hi")], addGenerationPrompt: false).Text);
            Assert.Equal(50257, ModelVocabulary.TryLoadTokenizer(path)!.VocabSize);
        }
        Assert.Equal(Path.Combine(cache, "snapshots", "feedface", "tokenizer.json"), ModelVocabulary.TokenizerJsonPath(cache));
    }

    [Fact]
    public void ADanglingTokenizerJsonNamesTheLinkAndItsTarget()
    {
        string real = Real("tokenizer.json");
        string folder = LinkTrees.LinkedFolder(Path.Combine(_dir, "links"), Path.GetDirectoryName(real)!, relative: true);
        File.Delete(real);
        string link = Path.Combine(folder, "tokenizer.json");
        string message = $"{link}: symbolic link to {real}, which does not exist.";
        Assert.Equal(message, Assert.Throws<FileNotFoundException>(() => ModelTokenizer.TryFor(folder)).Message);
        Assert.Equal(message, Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(folder)).Message);
        Assert.Equal(message, Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(link)).Message);
        Assert.Equal(message, Assert.Throws<FileNotFoundException>(() => ModelPath.ResolveFile(link)).Message);
    }
}
