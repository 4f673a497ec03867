using System.Net;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy;

/// <summary>Where the running listeners are: for start-up reports, tests and anyone who asked for port 0.</summary>
public interface IProxyListeners
{
    /// <summary>The bound endpoint of a running listener, or null when it is not running (not configured, or its port could not be bound).</summary>
    IPEndPoint? FindEndPoint(string listenerId);

    /// <summary>The listeners of the last applied config that are not running, with why (e.g. their port is taken); retried every <see cref="ProxyOptions.ListenerRetryInterval"/>.</summary>
    IReadOnlyDictionary<string, string> FailedListeners { get; }

    /// <summary>Completes once <paramref name="config"/> (or a newer one) has been applied.</summary>
    ValueTask WaitForAppliedAsync(ProxyConfig config, CancellationToken cancellationToken);
}
