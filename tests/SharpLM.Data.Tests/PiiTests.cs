// PII scrubbing tests: positive and negative examples per type (checksum failures are not scrubbed).
using SharpLM.Data.Pii;

namespace SharpLM.Data.Tests;

public class PiiTests
{
    [Theory]
    [InlineData("mail me at john.doe+x@example.co.uk today", "mail me at <EMAIL> today", PiiKind.Email)]
    [InlineData("手机 13812345678 联系", "手机 <PHONE> 联系", PiiKind.Phone)]
    [InlineData("call +86 13912345678.", "call <PHONE>.", PiiKind.Phone)]
    [InlineData("office +44 20 7946 0958 ok", "office <PHONE> ok", PiiKind.Phone)]
    [InlineData("US (415) 555-2671 x", "US <PHONE> x", PiiKind.Phone)]
    [InlineData("host 192.168.1.20 up", "host <IP> up", PiiKind.Ip)]
    [InlineData("v6 2001:db8:85a3::8a2e:370:7334 up", "v6 <IP> up", PiiKind.Ip)]
    [InlineData("card 4111 1111 1111 1111 exp", "card <CREDIT_CARD> exp", PiiKind.CreditCard)]
    [InlineData("card 5500-0000-0000-0004.", "card <CREDIT_CARD>.", PiiKind.CreditCard)]
    [InlineData("身份证 11010519491231002X 号", "身份证 <CN_ID> 号", PiiKind.CnId)]
    [InlineData("id 440308200001011234", "id <CN_ID>", PiiKind.CnId)]
    [InlineData("git https://bob:hunter2@github.com/x.git now", "git <URL_SECRET> now", PiiKind.UrlSecret)]
    [InlineData("see https://api.x.com/v1?user=3&access_token=abcDEF123 ok", "see <URL_SECRET> ok", PiiKind.UrlSecret)]
    [InlineData("see https://x.com/a?key=K9 ok", "see <URL_SECRET> ok", PiiKind.UrlSecret)]
    public void ScrubsPositives(string input, string expected, PiiKind kind)
    {
        var s = new PiiScrubber();
        Assert.Equal(expected, s.Scrub(input, out var found));
        Assert.Equal(1, found[kind]);
        Assert.Equal(1, found.Values.Sum());
        Assert.Equal(1, s.Counts[kind]);
    }

    [Theory]
    [InlineData("card 4111 1111 1111 1112 fails Luhn")]
    [InlineData("id 110105194912310021 has a wrong check digit")]
    [InlineData("id 320106198802301230 is Feb 30")]
    [InlineData("phone 12812345678 is not a mobile prefix")]
    [InlineData("version 1.2.3.4567 and 300.1.1.1 and 10.0.0.256")]
    [InlineData("time 12:30:45 and ratio 3:4")]
    [InlineData("plain https://example.com/path?q=tokenizer&page=2 link")]
    [InlineData("year 2024, total 1234567 items")]
    [InlineData("not an email: user@localhost or @handle")]
    public void LeavesNegativesAlone(string input)
    {
        var s = new PiiScrubber();
        Assert.Equal(input, s.Scrub(input, out var found));
        Assert.Empty(found);
    }

    [Fact]
    public void CountsPerTypeAcrossDocuments()
    {
        var s = new PiiScrubber();
        s.Scrub("a@b.com c@d.org 13812345678");
        s.Scrub("10.0.0.1 and e@f.net");
        Assert.Equal(3, s.Counts[PiiKind.Email]);
        Assert.Equal(1, s.Counts[PiiKind.Phone]);
        Assert.Equal(1, s.Counts[PiiKind.Ip]);
        Assert.True(Checksums.Luhn("79927398713"[..11] + "") == false); // fewer than 12 digits is never a card
        Assert.True(Checksums.Luhn("4111111111111111"));
        Assert.True(Checksums.ChineseResidentId("11010519491231002x"));
    }
}
