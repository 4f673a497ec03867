using System.Text;
using Microsoft.AspNetCore.Http;

namespace Portolan.Api.Tests.Support;

/// <summary>
/// A raw request captured from the real aws CLI (TestData/*.http: request line, headers, blank line, body, CRLF
/// line ends, no newline after the body), split into what the SigV4 verifier reads.
/// </summary>
internal sealed class CapturedRequest
{
    private CapturedRequest(byte[] raw, string method, string rawTarget, IReadOnlyList<(string Name, string Value)> headers, byte[] body)
    {
        Raw = raw;
        Method = method;
        RawTarget = rawTarget;
        HeaderLines = headers;
        Body = body;
    }

    /// <summary>The request exactly as it was on the wire.</summary>
    public byte[] Raw { get; }
    public string Method { get; }
    public string RawTarget { get; }
    public IReadOnlyList<(string Name, string Value)> HeaderLines { get; }
    public byte[] Body { get; }

    public string Header(string name) => HeaderLines.First(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The request time the CLI signed, for pinning the verifier's clock.</summary>
    public DateTimeOffset SignedAt => DateTimeOffset.ParseExact(Header("X-Amz-Date"), "yyyyMMdd'T'HHmmss'Z'",
        System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);

    public HeaderDictionary Headers(Func<string, string, string?>? edit = null)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in HeaderLines)
        {
            var edited = edit is null ? value : edit(name, value);
            if (edited is not null)
            {
                headers.Append(name, edited);
            }
        }

        return headers;
    }

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static IEnumerable<string> All() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "TestData"), "*.http").Select(Path.GetFileName).Order()!;

    public static CapturedRequest Load(string name) => Parse(File.ReadAllBytes(PathOf(name)));

    public static CapturedRequest Parse(byte[] raw)
    {
        var split = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (split < 0)
        {
            throw new FormatException("No blank line between headers and body.");
        }

        var head = Encoding.ASCII.GetString(raw, 0, split).Split("\r\n");
        var requestLine = head[0].Split(' ');
        var headers = head.Skip(1).Select(line =>
        {
            var colon = line.IndexOf(':');
            return (line[..colon], line[(colon + 1)..].Trim());
        }).ToList();
        return new CapturedRequest(raw, requestLine[0], requestLine[1], headers, raw[(split + 4)..]);
    }
}
