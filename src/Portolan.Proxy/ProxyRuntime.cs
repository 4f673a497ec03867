using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Listeners;
using Portolan.Proxy.Observability;
using Portolan.Proxy.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Portolan.Proxy;

/// <summary>
/// The data plane: follows <see cref="IProxyConfigSource"/> and makes the running listeners and target groups
/// match each new config — new listeners bind, removed ones stop, changed rules are swapped in without
/// rebinding, target groups keep their targets' pools and in-flight counts. One config is applied at a time
/// (this loop is the only writer); requests read the results through single reference reads. A listener that
/// fails to bind (port taken) is logged and retried with the next config; the others run on.
/// </summary>
internal sealed partial class ProxyRuntime : IHostedService, IProxyStatistics, IProxyListeners, IAsyncDisposable
{
    private readonly IProxyConfigSource _source;
    private readonly IHttpForwarder _forwarder;
    private readonly TimeProvider _time;
    private readonly ProxyMetrics _metrics;
    private readonly AccessLog _accessLog;
    private readonly ProxyOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, TargetGroupState> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ListenerRuntime> _listeners = new(StringComparer.Ordinal);
    private TrafficCounters[] _listenerCounters = [];
    private TrafficCounters[] _groupCounters = [];
    private TaskCompletionSource<ProxyConfig> _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProxyConfig? _current;
    private volatile IReadOnlyDictionary<string, IPEndPoint> _listenersById = new Dictionary<string, IPEndPoint>();
    private volatile IReadOnlyDictionary<string, string> _failedListeners = new Dictionary<string, string>();
    private Task? _loop;

    public ProxyRuntime(
        IProxyConfigSource source,
        IHttpForwarder forwarder,
        TimeProvider time,
        AccessLog accessLog,
        IOptions<ProxyOptions> options,
        IServiceProvider services,
        ILoggerFactory loggerFactory,
        System.Diagnostics.Metrics.IMeterFactory meterFactory)
    {
        _source = source;
        _forwarder = forwarder;
        _time = time;
        _accessLog = accessLog;
        _options = options.Value;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ProxyRuntime>();
        _metrics = new ProxyMetrics(meterFactory, this);
    }

    public IReadOnlyList<TrafficCounters> Listeners => Volatile.Read(ref _listenerCounters);

    public IReadOnlyList<TrafficCounters> TargetGroups => Volatile.Read(ref _groupCounters);

    /// <summary>The config most recently applied (null before the first).</summary>
    public ProxyConfig? Applied => Volatile.Read(ref _current);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ApplyAsync(_source.Current, cancellationToken);
        _loop = Task.Run(() => FollowAsync(_stop.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        if (_loop is not null) await _loop;
        await _applyLock.WaitAsync(cancellationToken);
        try
        {
            await Task.WhenAll(_listeners.Values.Select(l => l.DisposeAsync().AsTask()));
            _listeners.Clear();
            foreach (var group in _groups.Values) group.Dispose();
            _groups.Clear();
        }
        finally
        {
            _applyLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync(CancellationToken.None);
        await _accessLog.DisposeAsync();
    }

    public IPEndPoint? FindEndPoint(string listenerId) =>
        _listenersById.TryGetValue(listenerId, out var endpoint) ? endpoint : null;

    public IReadOnlyDictionary<string, string> FailedListeners => _failedListeners;

    /// <summary>The HTTP/1.1 fast path of listener <paramref name="listenerId"/> (tests watch its connections); call between applies.</summary>
    internal Http1.Http1Listener? FastPath(string listenerId) => _listeners.TryGetValue(listenerId, out var listener) ? listener.FastPath : null;

    public async ValueTask WaitForAppliedAsync(ProxyConfig config, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<ProxyConfig> next;
            lock (_stop)
            {
                if (_current is not null && (ReferenceEquals(_current, config) || _current.Version > config.Version)) return;
                next = _applied.Task;
            }
            await next.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes when the next apply (a new config, or a retry of failed listeners) is done.</summary>
    internal Task<ProxyConfig> NextApplyAsync()
    {
        lock (_stop) return _applied.Task;
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        var seen = Volatile.Read(ref _current)!;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (_failedListeners.Count == 0)
                {
                    await _source.WaitForChangeAsync(seen, ct);
                }
                else
                {
                    // A listener could not bind (its port was taken): try again after a while even if nothing changed.
                    using var retry = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    retry.CancelAfter(_options.ListenerRetryInterval);
                    try
                    {
                        await _source.WaitForChangeAsync(seen, retry.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                    }
                }
                seen = _source.Current;
                await ApplyAsync(seen, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogApplyFailed(_logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ApplyAsync(ProxyConfig config, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct);
        try
        {
            // Target groups first, so the rules compiled below point at the new ones.
            var wanted = config.TargetGroups.ToDictionary(g => g.Id, StringComparer.Ordinal);
            foreach (var (id, group) in _groups.Where(g => !wanted.ContainsKey(g.Key)).ToArray())
            {
                group.Dispose();
                _groups.Remove(id);
            }
            foreach (var groupConfig in config.TargetGroups)
            {
                if (!_groups.TryGetValue(groupConfig.Id, out var group))
                {
                    _groups[groupConfig.Id] = group = new TargetGroupState(groupConfig.Id, _time, _options.Random);
                }
                if (!ReferenceEquals(group.Config, groupConfig)) group.Apply(groupConfig);
            }

            var failed = new Dictionary<string, string>(StringComparer.Ordinal);
            var listeners = config.Listeners.GroupBy(l => l.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var stopping = new List<ListenerRuntime>();
            foreach (var (id, running) in _listeners.ToArray())
            {
                if (!listeners.TryGetValue(id, out var next) || !running.SameBinding(next))
                {
                    _listeners.Remove(id);
                    stopping.Add(running);
                }
            }
            // Stop before starting, so a listener moved to a port another one just gave up can bind it.
            await Task.WhenAll(stopping.Select(async l =>
            {
                await l.DisposeAsync();
                LogListenerStopped(_logger, l.Config.Id, l.EndPoint);
            }));

            foreach (var (id, listenerConfig) in listeners)
            {
                var routes = RouteCompiler.Compile(listenerConfig, Group, _options.Random);
                if (_listeners.TryGetValue(id, out var running))
                {
                    running.Update(listenerConfig, routes);
                    continue;
                }

                var listener = new ListenerRuntime(listenerConfig, routes, _options, _services, _loggerFactory);
                try
                {
                    await listener.StartAsync(_forwarder, _time, _metrics, _accessLog, ct);
                    _listeners[id] = listener;
                    LogListenerStarted(_logger, id, listenerConfig.Protocol, listener.EndPoint);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Port taken, no permission, certificate unreadable...: this listener waits, the others serve.
                    if (_failedListeners.ContainsKey(id)) LogListenerStillFailing(_logger, id, listenerConfig.Port, e.Message);
                    else LogListenerFailed(_logger, id, listenerConfig.Port, e);
                    failed[id] = e.Message;
                }
            }

            Volatile.Write(ref _listenerCounters, [.. _listeners.Values.Select(l => l.Counters)]);
            Volatile.Write(ref _groupCounters, [.. _groups.Values.Select(g => g.Counters)]);
            _failedListeners = failed;
            _listenersById = _listeners.Where(l => l.Value.EndPoint is not null).ToDictionary(l => l.Key, l => l.Value.EndPoint!, StringComparer.Ordinal);
            TaskCompletionSource<ProxyConfig> applied;
            lock (_stop)
            {
                _current = config;
                applied = _applied;
                _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            applied.TrySetResult(config);
            LogApplied(_logger, config.Version, _listeners.Count, _groups.Count);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private TargetGroupState? Group(string id) => _groups.GetValueOrDefault(id);

    [LoggerMessage(1, LogLevel.Information, "Listener {ListenerId} ({Protocol}) listening on {EndPoint}.", EventName = "ListenerStarted")]
    private static partial void LogListenerStarted(ILogger logger, string listenerId, ListenerProtocol protocol, IPEndPoint? endPoint);

    [LoggerMessage(2, LogLevel.Information, "Listener {ListenerId} on {EndPoint} stopped.", EventName = "ListenerStopped")]
    private static partial void LogListenerStopped(ILogger logger, string listenerId, IPEndPoint? endPoint);

    [LoggerMessage(3, LogLevel.Error, "Listener {ListenerId} could not start on port {Port}; it will be retried.", EventName = "ListenerFailed")]
    private static partial void LogListenerFailed(ILogger logger, string listenerId, int port, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Listener {ListenerId} still cannot start on port {Port}: {Reason}", EventName = "ListenerStillFailing")]
    private static partial void LogListenerStillFailing(ILogger logger, string listenerId, int port, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Proxy configuration {Version} applied: {Listeners} listeners, {TargetGroups} target groups.", EventName = "ConfigApplied")]
    private static partial void LogApplied(ILogger logger, long version, int listeners, int targetGroups);

    [LoggerMessage(5, LogLevel.Error, "Applying a proxy configuration failed; the previous one stays in force.", EventName = "ApplyFailed")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception);
}
