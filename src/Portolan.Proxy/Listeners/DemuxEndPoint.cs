using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Portolan.Proxy.Listeners;

/// <summary>
/// One protocol's share of a cleartext port: Kestrel binds an HTTP/1.1 endpoint and an HTTP/2 endpoint with the
/// same <see cref="Socket"/> address, and <see cref="CleartextDemuxListenerFactory"/> hands each the connections
/// that speak its protocol.
/// </summary>
internal sealed class DemuxEndPoint(IPEndPoint socket, HttpProtocols protocol) : EndPoint
{
    public IPEndPoint Socket { get; } = socket;

    public HttpProtocols Protocol { get; } = protocol;

    public override string ToString() => $"http://{Socket}";
}
