// NameSelector: how PEFT selects modules by name in target_modules, exclude_modules and feedforward_modules — a list
// matches a module whose dotted name equals an entry or ends with "." + entry; a string is a regular expression that
// must match the whole name (Python's re.fullmatch, as PEFT's check_target_module_exists does).
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SharpLM.Models.Peft;

/// <summary>A list of name suffixes or one full-name regular expression.</summary>
public sealed class NameSelector
{
    private readonly Regex? _regex;

    /// <summary>The list form, or null for the regex form.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>The regex form as written, or null for the list form.</summary>
    public string? Pattern { get; }

    private NameSelector(IReadOnlyList<string>? names, string? pattern)
    {
        Names = names;
        Pattern = pattern;
        if (pattern is not null)
        {
            try { _regex = new Regex($"^(?:{pattern})\\z", RegexOptions.CultureInvariant); }
            catch (ArgumentException e) { throw new ArgumentException($"adapter_config.json: invalid regular expression '{pattern}': {e.Message}"); }
        }
    }

    public static NameSelector FromList(IReadOnlyList<string> names) => new(names, null);
    public static NameSelector FromRegex(string pattern) => new(null, pattern);

    /// <summary>True for a list form (layers_to_transform only applies then, as in PEFT).</summary>
    public bool IsList => Names is not null;

    /// <summary>PEFT's list rule (equal, or ends with "." + entry) or regex full match.</summary>
    public bool Matches(string key) =>
        _regex?.IsMatch(key) ?? Names!.Any(n => key == n || key.EndsWith("." + n, StringComparison.Ordinal));

    /// <summary>PEFT's suffix rule without the dot (feedforward_modules uses <c>key.endswith(target_key)</c>).</summary>
    public bool MatchesLooseSuffix(string key) =>
        _regex?.IsMatch(key) ?? Names!.Any(n => key.EndsWith(n, StringComparison.Ordinal));

    /// <summary>The JSON value PEFT writes for this selector (a list or a string).</summary>
    public JsonNode ToJson() => Pattern is not null ? JsonValue.Create(Pattern)! : new JsonArray(Names!.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());

    public override string ToString() => Pattern ?? "[" + string.Join(", ", Names!) + "]";
}
