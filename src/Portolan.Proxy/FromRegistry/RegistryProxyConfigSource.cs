using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Snapshots;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.FromRegistry;

/// <summary>
/// The server's <see cref="IProxyConfigSource"/>: the registry snapshot's load-balancing section as a
/// <see cref="ProxyConfig"/> whose <see cref="ProxyConfig.Version"/> is that section's revision. A config is built
/// only when the section changed (a Cloud Map write publishes a new snapshot but carries the same section), and
/// lazily, by whoever asks first after a change: the data plane's loop. A build that throws is logged and the
/// previous config stays in force until the next change.
/// </summary>
internal sealed partial class RegistryProxyConfigSource : IProxyConfigSource
{
    private readonly ISnapshotSource _snapshots;
    private readonly ProxyConfigBuilder _builder;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private LoadBalancingSnapshot? _builtFrom;
    private ProxyConfig _current = ProxyConfig.Empty;

    public RegistryProxyConfigSource(ISnapshotSource snapshots, IOptions<ProxyOptions> options, ILogger<RegistryProxyConfigSource> logger)
    {
        _snapshots = snapshots;
        _builder = new ProxyConfigBuilder(options.Value.ListenAddress);
        _logger = logger;
    }

    public ProxyConfig Current
    {
        get
        {
            var section = _snapshots.Current.LoadBalancing;
            lock (_lock)
            {
                if (ReferenceEquals(section, _builtFrom)) return _current;
                _builtFrom = section;
                try
                {
                    _current = _builder.Build(section);
                }
                catch (Exception e)
                {
                    LogBuildFailed(_logger, e, section.Revision);
                }
                return _current;
            }
        }
    }

    public async ValueTask WaitForChangeAsync(ProxyConfig seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            var revision = _snapshots.Current.Revision;
            if (!ReferenceEquals(Current, seen)) return;
            await _snapshots.WaitForChangeAsync(revision, cancellationToken);
        }
    }

    [LoggerMessage(20, LogLevel.Error, "Building the proxy configuration at load-balancing revision {Revision} failed; the previous one stays in force.", EventName = "ProxyConfigBuildFailed")]
    private static partial void LogBuildFailed(ILogger logger, Exception exception, long revision);
}
