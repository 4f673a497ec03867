namespace Portolan.Proxy.Configuration;

/// <summary>
/// Publishes the data plane's configuration: the registry adapter in the server, an
/// <see cref="InMemoryProxyConfigSource"/> in tests and benchmarks. Reading <see cref="Current"/> is one volatile read.
/// </summary>
public interface IProxyConfigSource
{
    ProxyConfig Current { get; }

    /// <summary>Completes when a config other than <paramref name="seen"/> is current.</summary>
    ValueTask WaitForChangeAsync(ProxyConfig seen, CancellationToken cancellationToken);
}
