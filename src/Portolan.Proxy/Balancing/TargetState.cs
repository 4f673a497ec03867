using System.Net;
using System.Net.Security;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Balancing;

/// <summary>
/// One registered target of one target group, alive for as long as it stays registered (and routable): its own
/// connection pool, its in-flight count (least-outstanding-requests and draining both read it) and the token
/// that cuts its in-flight requests when draining runs out.
/// </summary>
/// <remarks>
/// Retirement is a two-flag handshake without locks: <see cref="TryEnter"/> counts itself in, then checks
/// <c>_retired</c>; <see cref="Retire"/> sets <c>_retired</c>, then checks the count. Whichever side sees the
/// other last disposes the pool, so a request never uses a disposed pool and the pool is never left open.
/// </remarks>
internal sealed class TargetState : IDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private readonly HttpMessageInvoker _invoker;
    private int _outstanding;
    private int _retired;
    private int _disposed;
    private volatile bool _draining;

    public TargetState(TargetGroupConfig group, TargetConfig target, string cookieValue, long healthySinceTicks)
    {
        Key = target.Key;
        Host = target.Host;
        Port = target.Port;
        var scheme = group.Protocol == TargetProtocol.Https ? "https" : "http";
        Prefix = $"{scheme}://{Key}";
        CookieValue = cookieValue;
        _invoker = new HttpMessageInvoker(CreateHandler(), disposeHandler: true);
        Update(target, healthySinceTicks);
    }

    public string Key { get; }
    public string Host { get; }
    public int Port { get; }

    /// <summary>The destination prefix given to the forwarder, e.g. <c>http://10.0.0.5:8080</c>.</summary>
    public string Prefix { get; }

    /// <summary>The value of this target's stickiness cookie: stable across restarts for the same group and target.</summary>
    public string CookieValue { get; }

    public HttpMessageInvoker Invoker => _invoker;

    /// <summary>Fires when the target's remaining requests must be cut (drain deadline, removal).</summary>
    public CancellationToken Aborted => _abort.Token;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public TargetHealth Health { get; private set; }

    public bool Draining => _draining;

    public DateTimeOffset? DrainDeadline { get; private set; }

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>UTC ticks from which slow start counts (when the target became healthy); 0 when not healthy.</summary>
    public long SlowStartFromTicks { get; private set; }

    /// <summary>The <c>Set-Cookie</c> line that sticks a client to this target; null when stickiness is off.</summary>
    public string? SetCookieLine { get; set; }

    /// <summary>Healthy (or unchecked) and not draining: may get new requests when the group is not failing open.</summary>
    public bool IsHealthy => !_draining && Health is TargetHealth.Healthy or TargetHealth.Unavailable;

    /// <param name="target">The target's new config.</param>
    /// <param name="healthySinceTicks">When it became healthy, if it just did (UTC ticks).</param>
    public void Update(TargetConfig target, long healthySinceTicks)
    {
        var wasHealthy = IsHealthy;
        Health = target.Health;
        DrainDeadline = target.DrainDeadline;
        _draining = target.Draining;
        if (!IsHealthy) SlowStartFromTicks = 0;
        else if (!wasHealthy || SlowStartFromTicks == 0) SlowStartFromTicks = healthySinceTicks;
    }

    /// <summary>Counts a request in; false when the target was retired meanwhile (pick another).</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _outstanding);
        if (Volatile.Read(ref _retired) == 0) return true;
        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0) return;
        if (Volatile.Read(ref _retired) != 0) DisposePool();
        else if (_draining) Retire(cutInFlight: false); // drained early: nothing in flight, close its connections
    }

    /// <summary>
    /// Stops new requests for good; with <paramref name="cutInFlight"/>, also aborts the ones in flight. The pool
    /// closes once the last request is out.
    /// </summary>
    public void Retire(bool cutInFlight)
    {
        Interlocked.Exchange(ref _retired, 1);
        if (cutInFlight) _abort.Cancel();
        if (Volatile.Read(ref _outstanding) == 0) DisposePool();
    }

    public void Dispose() => Retire(cutInFlight: true);

    private void DisposePool()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _invoker.Dispose();
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        // Plain pipe to one target: no proxy, cookies, redirects, decompression or tracing headers of our own.
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ActivityHeadersPropagator = null,
        EnableMultipleHttp2Connections = true,
        // ALB's connect timeout to a target is 10 s.
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        // ALB does not validate target certificates (targets commonly use self-signed ones).
#pragma warning disable CA5359
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
#pragma warning restore CA5359
    };
}
