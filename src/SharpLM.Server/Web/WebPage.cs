// WebPage: the chat page at / — Web/index.html embedded in the assembly (no files read at run time), served with a
// Content-Security-Policy that allows only this origin.
using Microsoft.AspNetCore.Http;

namespace SharpLM.Server;

internal static class WebPage
{
    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var s = typeof(WebPage).Assembly.GetManifestResourceStream("web/index.html")
            ?? throw new InvalidOperationException("SharpLM.Server: the embedded web/index.html is missing from the assembly.");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    });

    public static async Task Write(HttpContext http)
    {
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'";
        await http.Response.Body.WriteAsync(Html.Value);
    }
}
