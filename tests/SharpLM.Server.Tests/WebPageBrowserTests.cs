// The chat page in a real browser: headless Chromium (Debian's `chromium`, installed by .ci/run) loads /, sends a
// message (the page's ?q= link parameter, greedy settings from the link), and the test reads the streamed answer
// out of the DOM over the DevTools protocol once the page marks it finished: the assistant bubble's text equals
// the page's own markdown rendering of the offline greedy answer. Missing Chromium fails the test (no skip).
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class WebPageBrowserTests
{
    private static string Chromium()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        throw new Xunit.Sdk.XunitException("headless Chromium is needed for the web page test: apt-get install -y chromium (.ci/run installs it).");
    }

    [Fact]
    public async Task ThePageStreamsTheGreedyAnswerIntoTheDom()
    {
        await using var h = await ServerHarness.StartAsync();
        var expected = TinyServedModel.Generate(TinyServedModel.ChatPrompt("be kind.", "hello"), 24).Text;
        string url = new Uri(h.Server.BaseAddress, "?temperature=0&top_p=1&max_tokens=24&system=be%20kind.&q=hello").ToString();
        string profile = Path.Combine(Path.GetTempPath(), "sharplm-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        var psi = new ProcessStartInfo(Chromium(), ["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0", $"--user-data-dir={profile}", url])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var browser = Process.Start(psi)!;
        try
        {
            string? ws = null;
            var sw = Stopwatch.StartNew();
            while (ws is null && sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                var line = await browser.StandardError.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("Chromium exited before DevTools listened.");
                if (line.Contains("DevTools listening on ")) ws = line[(line.IndexOf("ws://", StringComparison.Ordinal))..].Trim();
            }
            _ = browser.StandardError.ReadToEndAsync();
            var port = new Uri(ws!).Port;
            using var http = new HttpClient();
            string? pageWs = null;
            while (pageWs is null && sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                var pages = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
                pageWs = pages.FirstOrDefault(p => (string?)p!["type"] == "page" && ((string?)p["url"] ?? "").StartsWith(h.Server.BaseAddress.ToString(), StringComparison.Ordinal))?["webSocketDebuggerUrl"]?.GetValue<string>();
                if (pageWs is null) await Task.Delay(100);
            }
            Assert.NotNull(pageWs);
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(pageWs!), CancellationToken.None);
            int id = 0;
            async Task<JsonNode?> Eval(string expression)
            {
                int my = ++id;
                var msg = JsonSerializer.Serialize(new { id = my, method = "Runtime.evaluate", @params = new { expression, returnByValue = true } });
                await socket.SendAsync(Encoding.UTF8.GetBytes(msg), WebSocketMessageType.Text, true, CancellationToken.None);
                var buffer = new byte[1 << 16];
                while (true)
                {
                    using var ms = new MemoryStream();
                    WebSocketReceiveResult r;
                    do { r = await socket.ReceiveAsync(buffer, CancellationToken.None); ms.Write(buffer, 0, r.Count); } while (!r.EndOfMessage);
                    var reply = JsonNode.Parse(ms.ToArray())!;
                    if ((int?)reply["id"] == my) return reply["result"]?["result"]?["value"];
                }
            }
            const string Done = "(() => { const d = document.querySelector('.msg.assistant'); return d !== null && d.dataset.streaming === 'false'; })()";
            while (!((bool?)await Eval(Done) ?? false))
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(90)) throw new Xunit.Sdk.XunitException("the page did not finish streaming the answer within 90 s.");
                await Task.Delay(100);
            }
            string shown = (string)(await Eval("document.querySelector('.msg.assistant').textContent"))!;
            string rendered = (string)(await Eval($"(() => {{ const d = document.createElement('div'); d.innerHTML = markdown({JsonSerializer.Serialize(expected)}); return d.textContent; }})()"))!;
            Assert.Equal(rendered, shown);
            Assert.Equal("hello", (string?)await Eval("document.querySelector('.msg.user').textContent"));
            Assert.Equal(expected, (string?)await Eval("history[history.length - 1].content"));
        }
        finally
        {
            browser.Kill(entireProcessTree: true);
            await browser.WaitForExitAsync();
            try { Directory.Delete(profile, true); } catch (IOException) { }
        }
    }
}
