using System.Globalization;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Forwarding;

/// <summary>
/// <c>X-Amzn-Trace-Id</c> as ALB writes it: <c>Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}</c>. A request
/// that brings a <c>Root=</c> (in a single header line) keeps it, copied out of the request view (ALB only adds
/// <c>Self=</c> then, which is left out here).
/// </summary>
internal static class TraceIds
{
    private const string Header = "X-Amzn-Trace-Id";

    public static string For(IProxyRequest request, DateTimeOffset now)
    {
        if (request.TryGetHeader(Header, 0, out var incoming) && !request.TryGetHeader(Header, 1, out _)
            && incoming.Contains("Root=", StringComparison.Ordinal))
        {
            return incoming.ToString();
        }

        return string.Create(40, now.ToUnixTimeSeconds(), static (span, seconds) =>
        {
            "Root=1-".CopyTo(span);
            ((uint)seconds).TryFormat(span[7..15], out _, "x8", CultureInfo.InvariantCulture);
            span[15] = '-';
            Span<byte> random = stackalloc byte[12];
            Random.Shared.NextBytes(random);
            Convert.TryToHexStringLower(random, span[16..], out _);
        });
    }
}
