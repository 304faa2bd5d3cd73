// NamedPreTokenizers: every pre-tokenizer name of GGUF's tokenizer.ggml.pre that llama.cpp accepts (llama_vocab::load)
// and the regex list of its LLAMA_VOCAB_PRE_TYPE_* (llm_tokenizer_bpe), translated for .NET: llama.cpp runs its
// lists with std::regex over a "collapsed" text (every non-ASCII code point replaced by its category), which equals
// .NET's \p{..} classes over our code-point view (CodePointView) except that llama.cpp's ASCII \p{S} leaves out
// '~' (written out below) and ECMAScript's $ is .NET's \z. A GGUF without the key gets llama.cpp's "default" list
// (punctuation runs, GPT-2's regex, digit runs, then groups of three digits), not GPT-2's. llama3-style and tekken
// names also switch on ignore_merges (a pre-token that is itself a token is emitted whole).
using System.Text;

namespace SharpLM.Text.PreTokenization;

/// <summary>Maps a GGUF pre-tokenizer name to its regex sequence.</summary>
public static class NamedPreTokenizers
{
    private const string Gpt2 = PreTokenizerPatterns.Gpt2;

    private const string Qwen2 =
        @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Tekken =
        @"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Bloom = @" ?[^(\s|.,!?…。，、।۔،)]+";

    // llama.cpp's ASCII \p{S} is $+<=>^`| (no '~').
    private const string SymbolNoTilde = @"\p{S}-[~]";

    private static readonly string DeepseekV3Main =
        "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+" +
        @"|(?:~|[^\r\n\p{L}\p{P}\p{S}])?[\p{L}\p{M}]+| ?(?:[\p{P}]|[" + SymbolNoTilde + @"])+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly SplitStage DeepseekLlmLetters = new(@"\s?" + AstralClass("A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃") + "+", CodeUnits: true);

    /// <summary>The names llama.cpp accepts, GPT-2's first (the writer picks the first name whose list matches).</summary>
    public static readonly IReadOnlyList<string> Known =
        ["gpt-2", "default", "llama-bpe", "llama3", "llama-v3", "falcon3", "deepseek-llm", "deepseek-coder", "deepseek-v3",
         "falcon", "mpt", "starcoder", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de",
         "jina-v2-code", "roberta-bpe", "refact", "command-r", "qwen2", "deepseek-r1-qwen", "stablelm2", "olmo", "dbrx",
         "smaug-bpe", "poro-chat", "chatglm-bpe", "viking", "jais", "tekken", "smollm", "codeshell", "bloom",
         "gpt3-finnish", "exaone", "chameleon", "minerva-7b", "megrez"];

    /// <summary>The name a GGUF without tokenizer.ggml.pre is read as.</summary>
    public const string Default = "default";

    /// <summary>The regex stages for <paramref name="name"/> (null = the key is absent), or null when the name is not known.</summary>
    public static SplitStage[]? Stages(string? name) => (name ?? Default) switch
    {
        "default" => [@"[\p{P}\$\+<=>\^~\|]+", Gpt2, @"\p{N}+", "[0-9][0-9][0-9]"],
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "dbrx" or "smaug-bpe" or "chatglm-bpe" => [PreTokenizerPatterns.Llama3],
        "deepseek-llm" => ["[\r\n]", DeepseekLlmLetters, @"\s?[!-/:-~！-／：-～‘-‟　-。]+", @"\s+\z", "[一-龥ࠀ-一가-퟿]+", @"\p{N}+"],
        "deepseek-v3" => [@"\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+", DeepseekV3Main],
        "deepseek-coder" => ["[\r\n]", @"\s?\p{L}+", @"\s?\p{P}+", "[一-龥ࠀ-一가-퟿]+", @"\p{N}"],
        "falcon" => [@"[\p{P}\$\+<=>\^~\|`]+", Gpt2, "[0-9][0-9][0-9]"],
        "starcoder" or "refact" or "command-r" or "smollm" or "codeshell" or "exaone" or "minerva-7b" => [@"\p{N}", Gpt2],
        "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v1-en" or "jina-v2-es" or "jina-v2-de"
            or "jina-v2-code" or "roberta-bpe" or "mpt" or "olmo" or "jais" => [Gpt2],
        "qwen2" or "deepseek-r1-qwen" or "stablelm2" or "megrez" => [Qwen2],
        "poro-chat" or "bloom" or "gpt3-finnish" => [Bloom],
        "viking" => [Bloom, @"\p{N}"],
        "tekken" => [Tekken],
        "chameleon" => ["<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", @"([\t\n]|    |  )", @"\p{N}",
                        @"[\p{P}!-/:-@\[-`{-~]", Gpt2],
        _ => null,
    };

    /// <summary>Regex patterns of <paramref name="name"/> (see <see cref="Stages"/>).</summary>
    public static string[]? Patterns(string? name) => Stages(name)?.Select(s => s.Pattern).ToArray();

    /// <summary>Whether llama.cpp sets ignore_merges for the name (llama3 family, tekken).</summary>
    public static bool IgnoresMerges(string? name) =>
        name is "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "tekken";

    /// <summary>A character class whose ranges may lie above U+FFFF, as an alternation .NET can match on UTF-16:
    /// the BMP part as a class, each astral range as surrogate-pair ranges.</summary>
    internal static string AstralClass(string body)
    {
        var runes = body.EnumerateRunes().Select(r => r.Value).ToList();
        var bmp = new StringBuilder();
        var astral = new List<string>();
        for (int i = 0; i < runes.Count; i++)
        {
            int lo = runes[i], hi = lo;
            if (i + 2 < runes.Count && runes[i + 1] == '-') { hi = runes[i + 2]; i += 2; }
            if (hi <= 0xFFFF) { bmp.Append(Esc(lo)); if (hi != lo) bmp.Append('-').Append(Esc(hi)); continue; }
            for (int c = lo; c <= hi;)
            {
                string pair = char.ConvertFromUtf32(c);
                int blockEnd = Math.Min(hi, (c | 0x3FF));
                string end = char.ConvertFromUtf32(blockEnd);
                astral.Add($@"\u{(int)pair[0]:X4}[\u{(int)pair[1]:X4}-\u{(int)end[1]:X4}]");
                c = blockEnd + 1;
            }
        }
        return astral.Count == 0 ? "[" + bmp + "]" : "(?:[" + bmp + "]|" + string.Join("|", astral) + ")";

        static string Esc(int c) => c < 0x80 && !char.IsLetterOrDigit((char)c) ? "\\" + (char)c : ((char)c).ToString();
    }
}
