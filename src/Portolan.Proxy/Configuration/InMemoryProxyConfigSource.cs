namespace Portolan.Proxy.Configuration;

/// <summary>A config source that publishes whatever it is given: for tests, benchmarks and embedding.</summary>
public sealed class InMemoryProxyConfigSource : IProxyConfigSource
{
    private readonly Lock _lock = new();
    private ProxyConfig _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InMemoryProxyConfigSource(ProxyConfig? initial = null) => _current = initial ?? ProxyConfig.Empty;

    public ProxyConfig Current => Volatile.Read(ref _current);

    public void Update(ProxyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        TaskCompletionSource changed;
        lock (_lock)
        {
            _current = config;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async ValueTask WaitForChangeAsync(ProxyConfig seen, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            if (!ReferenceEquals(_current, seen)) return;
            changed = _changed.Task;
        }
        await changed.WaitAsync(cancellationToken);
    }
}
