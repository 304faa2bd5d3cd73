// PiiScrubber: replaces personal data by typed placeholders and counts each type. Patterns are regular expressions
// narrowed by checks (Luhn for cards, MOD 11-2 + birth date for Chinese IDs, octet range for IPv4, IPAddress parsing
// for IPv6), so numbers that fail the check are left alone. Order: URL secrets, e-mail, CN ID, card, IP, phone.
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace SharpLM.Data.Pii;

public enum PiiKind { UrlSecret, Email, CnId, CreditCard, Ip, Phone }

public sealed partial class PiiScrubber
{
    public static string Placeholder(PiiKind kind) => kind switch
    {
        PiiKind.UrlSecret => "<URL_SECRET>",
        PiiKind.Email => "<EMAIL>",
        PiiKind.CnId => "<CN_ID>",
        PiiKind.CreditCard => "<CREDIT_CARD>",
        PiiKind.Ip => "<IP>",
        _ => "<PHONE>",
    };

    // scheme://user:pass@host... or any URL whose query carries token=, key=, access_token=, api_key=, password=, secret=
    [GeneratedRegex(@"\b[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^\s/@:]+:[^\s/@]+@[^\s]+|[^\s?#]+\?[^\s#]*?\b(?:access_token|token|api_key|apikey|key|password|secret|sig)=[^\s&#]+[^\s]*)")]
    private static partial Regex UrlSecretRe();

    [GeneratedRegex(@"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")]
    private static partial Regex EmailRe();

    [GeneratedRegex(@"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex CnIdRe();

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")]
    private static partial Regex CardRe();

    [GeneratedRegex(@"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")]
    private static partial Regex Ipv4Re();

    [GeneratedRegex(@"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")]
    private static partial Regex Ipv6Re();

    // Chinese mobile (optionally +86), international +CC numbers, and North-American style (xxx) xxx-xxxx
    [GeneratedRegex(@"(?<![\d+])(?:(?:\+?86[ -]?)?1[3-9]\d{9}|\+\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){2,4}|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})(?![\d])")]
    private static partial Regex PhoneRe();

    private readonly Dictionary<PiiKind, long> _counts = Enum.GetValues<PiiKind>().ToDictionary(k => k, _ => 0L);
    private readonly object _lock = new();

    /// <summary>Replacements made so far, per type.</summary>
    public IReadOnlyDictionary<PiiKind, long> Counts { get { lock (_lock) return new Dictionary<PiiKind, long>(_counts); } }

    /// <summary>The text with PII replaced; <paramref name="found"/> counts replacements per type for this text.</summary>
    public string Scrub(string text) => Scrub(text, out _);

    public string Scrub(string text, out Dictionary<PiiKind, int> found)
    {
        var local = new Dictionary<PiiKind, int>();
        text = Replace(text, UrlSecretRe(), PiiKind.UrlSecret, local, _ => true);
        text = Replace(text, EmailRe(), PiiKind.Email, local, _ => true);
        text = Replace(text, CnIdRe(), PiiKind.CnId, local, Checksums.ChineseResidentId);
        text = Replace(text, CardRe(), PiiKind.CreditCard, local, Checksums.Luhn);
        text = Replace(text, Ipv4Re(), PiiKind.Ip, local, IsIpv4);
        text = Replace(text, Ipv6Re(), PiiKind.Ip, local, IsIpv6);
        text = Replace(text, PhoneRe(), PiiKind.Phone, local, _ => true);
        lock (_lock) foreach (var (k, n) in local) _counts[k] += n;
        found = local;
        return text;
    }

    private static string Replace(string text, Regex re, PiiKind kind, Dictionary<PiiKind, int> counts, Func<string, bool> check) =>
        re.Replace(text, m =>
        {
            if (!check(m.Value)) return m.Value;
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
            return Placeholder(kind);
        });

    private static bool IsIpv4(string s) => s.Split('.').All(o => int.TryParse(o, out int v) && v <= 255 && (o.Length == 1 || o[0] != '0'));

    private static bool IsIpv6(string s) =>
        s.Contains(':') && s.Count(c => c == ':') >= 2 && s.Any(char.IsAsciiHexDigit)
        && IPAddress.TryParse(s, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;
}
