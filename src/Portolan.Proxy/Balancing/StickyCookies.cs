using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Balancing;

/// <summary>
/// ALB's duration-based stickiness cookies: <c>AWSALB</c> names the target within a group, <c>AWSALBTG</c> the
/// group within a weighted forward. Values are opaque, derived from the group and target so they stay valid
/// across restarts of the proxy; Set-Cookie lines are built once per target, not per request.
/// </summary>
internal static class StickyCookies
{
    public const string TargetCookie = "AWSALB";
    public const string GroupCookie = "AWSALBTG";

    /// <summary>Application-based stickiness: set when the target sets the application's own cookie.</summary>
    public const string AppCookie = "AWSALBAPP-0";

    public static string ValueFor(string groupId, string targetKey = "")
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(groupId + "|" + targetKey), hash);
        return Convert.ToBase64String(hash[..18]).Replace('+', '-').Replace('/', '_');
    }

    public static string SetCookieLine(string name, string value, TimeSpan duration) =>
        $"{name}={value}; Max-Age={(long)duration.TotalSeconds}; Path=/";

    /// <summary>Whether the target's response sets cookie <paramref name="name"/>.</summary>
    public static bool Sets(HttpResponse response, string name)
    {
        foreach (var line in response.Headers.SetCookie)
        {
            var value = line.AsSpan().TrimStart();
            if (value.Length > name.Length && value[name.Length] == '=' && value.StartsWith(name, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>The value of cookie <paramref name="name"/> in the request, found without allocating; empty when absent.</summary>
    public static ReadOnlySpan<char> Find(IProxyRequest request, string name)
    {
        for (var i = 0; request.TryGetHeader("Cookie", i, out var header); i++)
        {
            var rest = header;
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf(';');
                var pair = (end < 0 ? rest : rest[..end]).Trim();
                rest = end < 0 ? default : rest[(end + 1)..];
                if (pair.Length > name.Length && pair[name.Length] == '=' && pair.StartsWith(name, StringComparison.Ordinal))
                {
                    return pair[(name.Length + 1)..];
                }
            }
        }
        return default;
    }
}
