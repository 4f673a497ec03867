using System.Collections.Immutable;
using System.Net;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Routing;

/// <summary><c>host-header</c>: the Host without its port.</summary>
internal sealed class HostHeaderMatcher(ImmutableArray<string> values) : IRequestCondition
{
    private readonly WildcardPattern[] _patterns = [.. values.Select(v => new WildcardPattern(v, ignoreCase: true))];

    public bool Matches(IProxyRequest request)
    {
        var host = request.Host;
        foreach (var pattern in _patterns)
        {
            if (pattern.IsMatch(host)) return true;
        }
        return false;
    }
}

/// <summary><c>path-pattern</c>: the path as received, case-sensitive.</summary>
internal sealed class PathPatternMatcher(ImmutableArray<string> values) : IRequestCondition
{
    private readonly WildcardPattern[] _patterns = [.. values.Select(v => new WildcardPattern(v, ignoreCase: false))];

    public bool Matches(IProxyRequest request)
    {
        var path = request.Path;
        foreach (var pattern in _patterns)
        {
            if (pattern.IsMatch(path)) return true;
        }
        return false;
    }
}

/// <summary><c>http-header</c>: any value of the header (repeated headers count one by one).</summary>
internal sealed class HttpHeaderMatcher(string name, ImmutableArray<string> values) : IRequestCondition
{
    private readonly WildcardPattern[] _patterns = [.. values.Select(v => new WildcardPattern(v, ignoreCase: true))];

    public bool Matches(IProxyRequest request)
    {
        for (var i = 0; request.TryGetHeader(name, i, out var value); i++)
        {
            foreach (var pattern in _patterns)
            {
                if (pattern.IsMatch(value)) return true;
            }
        }
        return false;
    }
}

/// <summary><c>http-request-method</c>: exact method names.</summary>
internal sealed class MethodMatcher(ImmutableArray<string> values) : IRequestCondition
{
    private readonly string[] _methods = [.. values];

    public bool Matches(IProxyRequest request)
    {
        var method = request.Method;
        foreach (var m in _methods)
        {
            if (method.SequenceEqual(m)) return true;
        }
        return false;
    }
}

/// <summary>
/// <c>source-ip</c>: the peer address in any block; IPv4-mapped IPv6 peers count as IPv4. Compares the address's
/// bytes (a mapped peer's last four) with each block's prefix, so mapping allocates nothing.
/// </summary>
internal sealed class SourceIpMatcher(ImmutableArray<IPNetwork> values) : IRequestCondition
{
    private readonly (byte[] Prefix, int Bits)[] _networks = [.. values.Select(n => (n.BaseAddress.GetAddressBytes(), n.PrefixLength))];

    public bool Matches(IProxyRequest request)
    {
        var address = request.RemoteAddress;
        if (address is null) return false;
        Span<byte> buffer = stackalloc byte[16];
        if (!address.TryWriteBytes(buffer, out var written)) return false;
        ReadOnlySpan<byte> bytes = buffer[..written];
        if (address.IsIPv4MappedToIPv6) bytes = bytes[12..];
        foreach (var (prefix, bits) in _networks)
        {
            if (prefix.Length == bytes.Length && InPrefix(bytes, prefix, bits)) return true;
        }
        return false;
    }

    private static bool InPrefix(ReadOnlySpan<byte> address, byte[] prefix, int bits)
    {
        var whole = bits / 8;
        if (!address[..whole].SequenceEqual(prefix.AsSpan(0, whole))) return false;
        var rest = bits % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (address[whole] & mask) == (prefix[whole] & mask);
    }
}

/// <summary>
/// <c>query-string</c>: scans the raw query (<c>k=v&amp;k2=v2</c>) without building a collection; a pair matches a
/// parameter when its key pattern (if any) matches the key and its value pattern the value.
/// </summary>
internal sealed class QueryStringMatcher(ImmutableArray<QueryStringPair> values) : IRequestCondition
{
    private readonly (WildcardPattern? Key, WildcardPattern Value)[] _pairs =
        [.. values.Select(p => (p.Key is null ? null : new WildcardPattern(p.Key, true), new WildcardPattern(p.Value, true)))];

    public bool Matches(IProxyRequest request)
    {
        var query = request.Query;
        while (!query.IsEmpty)
        {
            var end = query.IndexOf('&');
            var parameter = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            if (parameter.IsEmpty) continue;

            var eq = parameter.IndexOf('=');
            var key = eq < 0 ? parameter : parameter[..eq];
            var value = eq < 0 ? default : parameter[(eq + 1)..];
            foreach (var (keyPattern, valuePattern) in _pairs)
            {
                if ((keyPattern is null || keyPattern.IsMatch(key)) && valuePattern.IsMatch(value)) return true;
            }
        }
        return false;
    }
}

internal static class ConditionCompiler
{
    public static IRequestCondition Compile(RuleCondition condition) => condition switch
    {
        HostHeaderCondition c => new HostHeaderMatcher(c.Values),
        PathPatternCondition c => new PathPatternMatcher(c.Values),
        HttpHeaderCondition c => new HttpHeaderMatcher(c.HeaderName, c.Values),
        QueryStringCondition c => new QueryStringMatcher(c.Values),
        HttpRequestMethodCondition c => new MethodMatcher(c.Values),
        SourceIpCondition c => new SourceIpMatcher(c.Values),
        _ => throw new NotSupportedException($"Unknown rule condition {condition.GetType().Name}."),
    };
}
