using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Portolan.Hosting;

/// <summary>
/// Binds the API's listen sockets before Kestrel starts, then hands them over through
/// <see cref="SocketTransportOptions.CreateBoundListenSocket"/>. Binding first is what makes "127.0.0.1:0 and [::1]
/// on the same port" possible: the IPv4 socket learns its ephemeral port and the IPv6 one takes the same, which
/// Kestrel cannot do on its own. It also turns "address in use" into one clear start-up error.
/// </summary>
internal sealed class ApiListeners : IDisposable
{
    // Another process may hold [::1]:P for the P the kernel handed out for IPv4; a new P usually fixes that.
    private const int EphemeralPairAttempts = 20;

    private readonly Dictionary<IPEndPoint, Socket> _unclaimed = [];
    private readonly List<IPEndPoint> _endPoints = [];
    private readonly List<string> _warnings = [];

    private ApiListeners()
    {
    }

    /// <summary>Where the sockets are bound, real ports included, in the order given.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => _endPoints;

    /// <summary>Endpoints that were skipped, e.g. [::1] on a machine without IPv6.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <exception cref="IOException">An address could not be bound; the message says which and why.</exception>
    public static ApiListeners Bind(IEnumerable<HostPort> endpoints)
    {
        var listeners = new ApiListeners();
        try
        {
            foreach (var endpoint in endpoints)
            {
                listeners.BindOne(endpoint);
            }

            return listeners;
        }
        catch
        {
            listeners.Dispose();
            throw;
        }
    }

    /// <summary>For Kestrel: the socket bound earlier for <paramref name="endpoint"/>, now owned by Kestrel.</summary>
    public Socket CreateBoundSocket(EndPoint endpoint)
    {
        lock (_unclaimed)
        {
            if (endpoint is IPEndPoint ip && _unclaimed.Remove(ip, out var socket))
            {
                return socket;
            }
        }

        return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
    }

    public void Dispose()
    {
        lock (_unclaimed)
        {
            foreach (var socket in _unclaimed.Values)
            {
                socket.Dispose();
            }

            _unclaimed.Clear();
        }
    }

    private void BindOne(HostPort endpoint)
    {
        var address = endpoint.Address;
        var pairWithIPv6 = address is null || address.Equals(IPAddress.Loopback);
        if (!pairWithIPv6)
        {
            Add(BindSocket(new IPEndPoint(address!, endpoint.Port), endpoint));
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var v4 = BindSocket(new IPEndPoint(IPAddress.Loopback, endpoint.Port), endpoint);
            var port = ((IPEndPoint)v4.LocalEndPoint!).Port;
            try
            {
                var v6 = SocketTransportOptions.CreateDefaultBoundListenSocket(new IPEndPoint(IPAddress.IPv6Loopback, port));
                Add(v4);
                Add(v6);
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && endpoint.Port == 0 && attempt < EphemeralPairAttempts)
            {
                v4.Dispose();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                v4.Dispose();
                throw new IOException($"api: cannot listen on [::1]:{port}: address already in use.", e);
            }
            catch (SocketException e)
            {
                // No IPv6 on this machine: IPv4 alone still serves every client that uses 127.0.0.1.
                Add(v4);
                _warnings.Add($"api: not listening on [::1]:{port} ({e.SocketErrorCode}); IPv4 only.");
                return;
            }
        }
    }

    private static Socket BindSocket(IPEndPoint ip, HostPort asGiven)
    {
        try
        {
            return SocketTransportOptions.CreateDefaultBoundListenSocket(ip);
        }
        catch (SocketException e)
        {
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "address already in use",
                SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
                SocketError.AddressNotAvailable => "no such local address",
                _ => e.Message,
            };
            throw new IOException($"api: cannot listen on {asGiven}: {why}.", e);
        }
    }

    private void Add(Socket socket)
    {
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        _unclaimed.Add(bound, socket);
        _endPoints.Add(bound);
    }
}
