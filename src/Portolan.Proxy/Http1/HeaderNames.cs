using System.Text;

namespace Portolan.Proxy.Http1;

internal enum HeaderKind { Other, HopByHop, ForwardedFor, ForwardedProto, ForwardedPort, TraceId, SetCookie }

/// <summary>The header names the fast path treats specially, recognised from their bytes without allocating.</summary>
internal static class HeaderNames
{
    public static HeaderKind Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Is(name, "te"u8) ? HeaderKind.HopByHop : HeaderKind.Other,
        7 => Is(name, "upgrade"u8) ? HeaderKind.HopByHop : HeaderKind.Other, // not Trailer: the trailers themselves pass, chunked as they came
        10 => Is(name, "connection"u8) || Is(name, "keep-alive"u8) ? HeaderKind.HopByHop
            : Is(name, "set-cookie"u8) ? HeaderKind.SetCookie : HeaderKind.Other,
        15 => Is(name, "x-forwarded-for"u8) ? HeaderKind.ForwardedFor : Is(name, "x-amzn-trace-id"u8) ? HeaderKind.TraceId : HeaderKind.Other,
        16 => Is(name, "proxy-connection"u8) ? HeaderKind.HopByHop : Is(name, "x-forwarded-port"u8) ? HeaderKind.ForwardedPort : HeaderKind.Other,
        17 => Is(name, "x-forwarded-proto"u8) ? HeaderKind.ForwardedProto : HeaderKind.Other,
        _ => HeaderKind.Other,
    };

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower) => Ascii.EqualsIgnoreCase(name, lower);
}
