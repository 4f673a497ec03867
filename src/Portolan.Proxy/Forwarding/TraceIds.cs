using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Portolan.Proxy.Forwarding;

/// <summary>
/// <c>X-Amzn-Trace-Id</c> as ALB writes it: <c>Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}</c>. A request
/// that brings a <c>Root=</c> keeps it (ALB only adds <c>Self=</c> then, which is left out here).
/// </summary>
internal static class TraceIds
{
    public static string For(HttpRequest request, DateTimeOffset now)
    {
        var incoming = request.Headers["X-Amzn-Trace-Id"];
        if (incoming.Count == 1 && incoming[0] is { } value && value.Contains("Root=", StringComparison.Ordinal)) return value;

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
