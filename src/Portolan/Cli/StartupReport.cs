using Portolan.Core.Cluster;
using Portolan.Hosting;

namespace Portolan.Cli;

/// <summary>
/// What <c>portolan serve</c> prints to stdout once it is listening: one <c>name: value</c> line per fact, then
/// <c>ready</c>. Tests and scripts parse it (e.g. the <c>api:</c> lines to learn the port picked for
/// <c>--api 127.0.0.1:0</c>), so the format only ever grows new names; existing lines keep their shape.
/// <code>
/// portolan: 0.1.0 (0231966)
/// data-dir: /home/me/.portolan
/// store: sqlite:/home/me/.portolan/portolan.db
/// region: us-east-1
/// account: 000000000000
/// auth: off
/// node: myhost-7766
/// role: leader (1 live, leader myhost-7766)
/// api: http://127.0.0.1:7766
/// api: http://[::1]:7766
/// dns: udp://127.0.0.1:7753
/// dns: tcp://127.0.0.1:7753
/// ready
/// </code>
/// </summary>
internal static class StartupReport
{
    public const string ApiPrefix = "api: ";
    public const string DnsPrefix = "dns: ";
    public const string ReadyLine = "ready";

    public static void Write(TextWriter output, PortolanHost host)
    {
        var options = host.Options;
        output.WriteLine($"portolan: {VersionInfo.Display}");
        output.WriteLine($"data-dir: {options.DataDir}");
        output.WriteLine($"store: {options.StoreUri}");
        output.WriteLine($"region: {options.Region}");
        output.WriteLine($"account: {options.Account}");
        output.WriteLine($"auth: {(options.AuthFile is null ? "off" : Path.GetFullPath(options.AuthFile))}");
        if (host.Services.GetService(typeof(IClusterMembership)) is IClusterMembership cluster)
        {
            output.WriteLine($"node: {cluster.NodeId}");
            output.WriteLine($"role: {(cluster.IsLeader ? "leader" : "follower")} ({cluster.View.Nodes.Length} live, leader {cluster.View.LeaderId ?? "none"})");
        }

        foreach (var endpoint in host.ApiEndpoints)
        {
            output.WriteLine($"{ApiPrefix}{endpoint.GetLeftPart(UriPartial.Authority)}");
        }

        // No dns: lines when DNS could not be bound at its default address (the warning on stderr says why).
        if (host.DnsUdpEndPoint is { } udp) output.WriteLine($"{DnsPrefix}udp://{Format(udp)}");
        if (host.DnsTcpEndPoint is { } tcp) output.WriteLine($"{DnsPrefix}tcp://{Format(tcp)}");
        foreach (var upstream in options.DnsForwarders)
        {
            output.WriteLine($"dns-forward: {upstream}");
        }

        output.WriteLine(ReadyLine);
        output.Flush();
    }

    private static string Format(System.Net.IPEndPoint endpoint) =>
        endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";
}
