using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Portolan.Dns.Server;

namespace Portolan.Hosting;

/// <summary>The API endpoints the host bound (with their real ports), known before any service starts.</summary>
internal sealed record BoundApiEndpoints(IReadOnlyList<Uri> Uris);

/// <summary>What a node advertises to the cluster: its API endpoints and its DNS endpoints, with real ports.</summary>
internal static class NodeAddresses
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Of(IServiceProvider services)
    {
        var addresses = new Dictionary<string, IReadOnlyList<string>>
        {
            ["api"] = services.GetRequiredService<BoundApiEndpoints>().Uris.Select(u => u.GetLeftPart(UriPartial.Authority)).ToArray(),
        };
        var dns = services.GetService<IDnsServer>();
        if (dns?.UdpEndPoint is { } udp && dns.TcpEndPoint is { } tcp)
        {
            addresses["dns"] = [$"udp://{Format(udp)}", $"tcp://{Format(tcp)}"];
        }

        return addresses;
    }

    private static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";
}
