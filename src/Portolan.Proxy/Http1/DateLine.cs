using System.Globalization;
using System.Text;

namespace Portolan.Proxy.Http1;

/// <summary>
/// The <c>Date</c> header line of the responses the load balancer makes itself (RFC 9110 §6.6.1), formatted once a
/// second per loop thread rather than per response.
/// </summary>
internal static class DateLine
{
    [ThreadStatic] private static byte[]? t_line;
    [ThreadStatic] private static long t_second;

    /// <summary><c>Date: Wed, 25 Nov 2026 04:30:00 GMT\r\n</c> for <paramref name="now"/>, cached for the second.</summary>
    public static ReadOnlySpan<byte> For(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        if (t_line is null || t_second != second)
        {
            t_line = Encoding.ASCII.GetBytes("Date: " + now.UtcDateTime.ToString("R", CultureInfo.InvariantCulture) + "\r\n");
            t_second = second;
        }
        return t_line;
    }
}
