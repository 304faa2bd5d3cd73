// Checksums used to confirm PII candidates: Luhn (ISO/IEC 7812-1) for payment cards, and ISO 7064 MOD 11-2 with a
// valid birth date for the 18-character Chinese resident identity number (GB 11643-1999).
using System.Globalization;

namespace SharpLM.Data.Pii;

public static class Checksums
{
    /// <summary>Luhn check over the digits of <paramref name="number"/> (other characters ignored).</summary>
    public static bool Luhn(string number)
    {
        int sum = 0, n = 0;
        for (int i = number.Length - 1; i >= 0; i--)
        {
            char c = number[i];
            if (c is < '0' or > '9') continue;
            int d = c - '0';
            if (n % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            n++;
        }
        return n >= 12 && sum % 10 == 0;
    }

    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheck = "10X98765432";

    /// <summary>An 18-character Chinese resident ID: 17 digits, a MOD 11-2 check character, a real birth date YYYYMMDD from 1900.</summary>
    public static bool ChineseResidentId(string id)
    {
        if (id.Length != 18) return false;
        int sum = 0;
        for (int i = 0; i < 17; i++)
        {
            if (id[i] is < '0' or > '9') return false;
            sum += (id[i] - '0') * IdWeights[i];
        }
        if (char.ToUpperInvariant(id[17]) != IdCheck[sum % 11]) return false;
        return DateTime.TryParseExact(id.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            && birth.Year >= 1900 && birth <= DateTime.Today;
    }
}
