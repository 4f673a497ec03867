namespace Portolan.Proxy;

/// <summary>Settings of the data plane that are the operator's, not the load balancer's (those come with the config).</summary>
public sealed class ProxyOptions
{
    /// <summary>
    /// Where the listeners of the registry's load balancers bind (a config source of one's own sets each listener's
    /// address itself). <remarks>Defaults to 127.0.0.1: reachable from this host only, as the load balancers'
    /// <c>*.elb.localhost</c> DNS names promise.</remarks>
    /// </summary>
    public System.Net.IPAddress ListenAddress { get; set; } = System.Net.IPAddress.Loopback;

    /// <summary>Append ALB-format access log lines to this file. <remarks>Defaults to null (off).</remarks></summary>
    public string? AccessLogPath { get; set; }

    /// <summary>Write access log lines through the logger (category <c>Portolan.Proxy.Observability.AccessLog</c>) instead.</summary>
    public bool AccessLogToLogger { get; set; }

    /// <summary>
    /// How long a client may take to send a request's headers (and, on a cleartext listener, its first bytes)
    /// before the connection is closed: the slow-loris guard.
    /// <remarks>Defaults to 30 s, Kestrel's default.</remarks>
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request line. <remarks>Defaults to 16 KiB, ALB's limit; longer gets 414.</remarks></summary>
    public int MaxRequestLineSize { get; set; } = 16 * 1024;

    /// <summary>Largest header block. <remarks>Defaults to 64 KiB, ALB's limit; larger gets 431.</remarks></summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 64 * 1024;

    /// <summary>How often a listener that could not bind (its port taken) is tried again. <remarks>Defaults to 5 s.</remarks></summary>
    public TimeSpan ListenerRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a removed listener lets its in-flight requests finish before cutting them.</summary>
    public TimeSpan ListenerStopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Run each connection's request handling on the socket's I/O thread instead of queueing it to the thread pool
    /// (Kestrel's <c>UnsafePreferInlineScheduling</c>): one thread hop less per read. Safe here because nothing on
    /// the proxy's request path blocks. <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>
    /// Serve plain HTTP/1.1 on cleartext listeners with Portolan's own event loops (epoll, one per core) instead of
    /// Kestrel and YARP, for requests forwarded to HTTP/1.1 cleartext target groups, fixed responses and redirects;
    /// everything else on the port (h2c, HTTP/2 and gRPC target groups, unusual requests) still goes through Kestrel
    /// and YARP. Linux only. <remarks>Defaults to true.</remarks>
    /// </summary>
    public bool Http1FastPath { get; set; } = true;

    /// <summary>The random source of weighted forwards, weighted_random and slow start. <remarks>Defaults to <see cref="Random.Shared"/>.</remarks></summary>
    public Random Random { get; set; } = Random.Shared;
}
