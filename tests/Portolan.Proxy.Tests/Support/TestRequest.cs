using System.Net;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Tests.Support;

/// <summary>A request as plain values, for rules and balancing without a server: header lines are kept in order, one entry each.</summary>
internal sealed class TestRequest : IProxyRequest
{
    public string Method { get; init; } = "GET";
    public string Path { get; init; } = "/";
    public string Query { get; init; } = "";
    public string Host { get; init; } = "example.com";
    public string Scheme { get; init; } = "http";
    public int LocalPort { get; init; } = 80;
    public IPAddress? RemoteAddress { get; init; } = IPAddress.Loopback;
    public List<(string Name, string Value)> Headers { get; init; } = [];

    ReadOnlySpan<char> IProxyRequest.Method => Method;
    ReadOnlySpan<char> IProxyRequest.Path => Path;
    ReadOnlySpan<char> IProxyRequest.Query => Query;
    ReadOnlySpan<char> IProxyRequest.Host => Host;

    public bool TryGetHeader(string name, int occurrence, out ReadOnlySpan<char> value)
    {
        foreach (var (n, v) in Headers)
        {
            if (!string.Equals(n, name, StringComparison.OrdinalIgnoreCase) || occurrence-- > 0) continue;
            value = v;
            return true;
        }
        value = default;
        return false;
    }
}
