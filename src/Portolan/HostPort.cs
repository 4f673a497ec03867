using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Portolan;

/// <summary>
/// A listen address as given on the command line: <c>127.0.0.1:7766</c>, <c>[::1]:7766</c>, <c>localhost:7766</c>,
/// <c>0.0.0.0:7766</c>. The host is an IP literal or <c>localhost</c>; other names are refused because binding to
/// whatever a name happens to resolve to at start-up is a surprise nobody wants on a server. Port 0 means
/// "any free port"; the one the kernel picked is printed on start.
/// </summary>
public sealed record HostPort(string Host, int Port)
{
    public const string Localhost = "localhost";

    /// <summary>The host as an address, or null for <c>localhost</c> (which means both loopbacks).</summary>
    public IPAddress? Address => Host == Localhost ? null : IPAddress.Parse(Host);

    public static bool TryParse(string text, [NotNullWhen(true)] out HostPort? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not HOST:PORT (e.g. 127.0.0.1:7766 or [::1]:7766).";
            return false;
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            error = $"'{portText}' in '{text}' is not a port number (0-65535).";
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = $"'{text}': '[{host}]' is not an IPv6 address.";
                return false;
            }

            value = new HostPort(v6.ToString(), port);
            error = null;
            return true;
        }

        if (host.Equals(Localhost, StringComparison.OrdinalIgnoreCase))
        {
            value = new HostPort(Localhost, port);
            error = null;
            return true;
        }

        // An unbracketed IPv6 literal is ambiguous with the port separator, so only IPv4 is accepted bare.
        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || host.Count(c => c == '.') != 3)
        {
            error = $"'{text}': the host must be an IPv4 address, a bracketed IPv6 address or 'localhost'.";
            return false;
        }

        value = new HostPort(address.ToString(), port);
        error = null;
        return true;
    }

    public override string ToString() =>
        Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
