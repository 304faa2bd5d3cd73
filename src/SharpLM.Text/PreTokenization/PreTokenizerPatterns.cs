// PreTokenizerPatterns: the regular expressions that split text into pre-tokens before byte-level BPE,
// as published with each vocabulary (GPT-2's encoder.py, tiktoken's cl100k_base and o200k_base, Meta's
// Llama 3 tokenizer). .NET has no possessive quantifiers, so "x?+" and "x++" are written as atomic groups
// "(?>x?)" and "(?>x+)", which match the same way. Matching is over UTF-16 code units: a letter outside
// the BMP (a surrogate pair) is not \p{L} here, which differs from the Rust/Python engines for such rare
// characters; encoders that must be exact on them handle surrogates before matching.
using System.Text.RegularExpressions;

namespace SharpLM.Text.PreTokenization;

/// <summary>Named pre-tokenizer patterns of the common byte-level BPE vocabularies.</summary>
public static class PreTokenizerPatterns
{
    /// <summary>GPT-2 / GPT-3 (r50k, p50k).</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>tiktoken cl100k_base (GPT-3.5/4).</summary>
    public const string Cl100k = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?>[^\r\n\p{L}\p{N}]?)\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3 (cl100k's pattern with possessive groups).</summary>
    public const string Llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?>[^\r\n\p{L}\p{N}]?)\p{L}+|\p{N}{1,3}| ?(?>[^\s\p{L}\p{N}]+)[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>tiktoken o200k_base (GPT-4o).</summary>
    public const string O200k =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>A compiled, culture-invariant regex for a pattern (possessive quantifiers rewritten as atomic groups).</summary>
    public static Regex Compile(string pattern) => new(Possessive(pattern), RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Rewrites Oniguruma / fancy-regex possessive quantifiers ("x?+", "x++", "x*+", "x{n,m}+"), which .NET
    /// lacks, as atomic groups "(?>x?)" that match the same way.</summary>
    public static string Possessive(string p)
    {
        var sb = new System.Text.StringBuilder(p.Length + 8);
        int atom = -1;
        for (int i = 0; i < p.Length;)
        {
            char c = p[i];
            int start = i;
            if (c == '\\')
            {
                i += 2;
                if (i <= p.Length && (p[i - 1] is 'p' or 'P' or 'x' or 'u') && i < p.Length && p[i] == '{') i = p.IndexOf('}', i) + 1;
                else if (p[i - 1] == 'u') i += 4;
                else if (p[i - 1] == 'x') i += 2;
            }
            else if (c == '[')
            {
                int depth = 0;
                for (i++; i < p.Length; i++)
                {
                    if (p[i] == '\\') { i++; continue; }
                    if (p[i] == '[') depth++;
                    else if (p[i] == ']') { if (depth == 0) { i++; break; } depth--; }
                }
            }
            else if (c == '(')
            {
                int depth = 0;
                for (; i < p.Length; i++)
                {
                    if (p[i] == '\\') { i++; continue; }
                    if (p[i] == '[') { for (i++; i < p.Length && p[i] != ']'; i++) if (p[i] == '\\') i++; continue; }
                    if (p[i] == '(') depth++;
                    else if (p[i] == ')' && --depth == 0) { i++; break; }
                }
                // A group's contents may hold possessive quantifiers too.
                string inner = p[(start + 1)..(i - 1)];
                int head = inner.StartsWith("?:") || inner.StartsWith("?>") || inner.StartsWith("?=") || inner.StartsWith("?!") ? 2
                         : inner.StartsWith("?i:") ? 3 : 0;
                atom = sb.Length;
                sb.Append('(').Append(inner, 0, head).Append(Possessive(inner[head..])).Append(')');
                continue;
            }
            else if (c is '?' or '*' or '+' or '{')
            {
                int q = i + 1;
                if (c == '{') q = p.IndexOf('}', i) + 1;
                if (q < p.Length && p[q] == '+' && atom >= 0)
                {
                    string a = sb.ToString(atom, sb.Length - atom);
                    sb.Length = atom;
                    sb.Append("(?>").Append(a).Append(p, i, q - i).Append(')');
                    i = q + 1;
                    continue;
                }
                sb.Append(p, i, q - i);
                i = q;
                continue;
            }
            else i++;
            atom = sb.Length;
            sb.Append(p, start, Math.Min(i, p.Length) - start);
        }
        return sb.ToString();
    }
}
