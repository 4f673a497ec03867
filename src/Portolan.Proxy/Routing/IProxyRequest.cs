namespace Portolan.Proxy.Routing;

/// <summary>What rules, balancing and stickiness read of a request (either data plane implements it).</summary>
internal interface IProxyRequest
{
    ReadOnlySpan<char> Method { get; }

    /// <summary>The path as the routing sees it (Kestrel's decoded Request.Path); "/" when empty.</summary>
    ReadOnlySpan<char> Path { get; }

    /// <summary>The query without its leading '?'; empty when none.</summary>
    ReadOnlySpan<char> Query { get; }

    /// <summary>The Host header's host, without port.</summary>
    ReadOnlySpan<char> Host { get; }

    /// <summary>"http" or "https".</summary>
    string Scheme { get; }

    /// <summary>The listener port the client connected to.</summary>
    int LocalPort { get; }

    /// <summary>The client's address (IPv4-mapped IPv6 may be given as is; matchers map it).</summary>
    System.Net.IPAddress? RemoteAddress { get; }

    /// <summary>The <paramref name="occurrence"/>-th (0-based) value of header <paramref name="name"/> (case-insensitive);
    /// false when there is no such occurrence. Repeated header lines count one by one.</summary>
    bool TryGetHeader(string name, int occurrence, out ReadOnlySpan<char> value);
}
