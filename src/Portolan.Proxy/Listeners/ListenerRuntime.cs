using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Forwarding;
using Portolan.Proxy.Http1;
using Portolan.Proxy.Observability;
using Portolan.Proxy.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Portolan.Proxy.Listeners;

/// <summary>
/// One listener, running: its own Kestrel server on its own port (so starting or stopping it never touches
/// another listener's connections), its compiled rules (swapped in place when only the rules change) and its
/// counters.
/// </summary>
internal sealed class ListenerRuntime : IAsyncDisposable
{
    private readonly ProxyOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private RouteTable _routes;
    private KestrelServer? _server;
    private FastPathListenerFactory? _fastPath;

    public ListenerRuntime(ListenerConfig config, RouteTable routes, ProxyOptions options, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        Config = config;
        _routes = routes;
        _options = options;
        _services = services;
        _loggerFactory = loggerFactory;
        Counters = new TrafficCounters(config.Id);
        LoadBalancerName = string.IsNullOrEmpty(config.LoadBalancerId) ? config.Id : config.LoadBalancerId;
    }

    public ListenerConfig Config { get; private set; }

    public RouteTable Routes => Volatile.Read(ref _routes);

    public TrafficCounters Counters { get; }

    public string LoadBalancerName { get; }

    /// <summary>The bound endpoint (the real port when the config asked for 0).</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>The HTTP/1.1 fast path's socket, when this listener runs one.</summary>
    internal Http1Listener? FastPath => _fastPath?.Listener;

    /// <summary>True when a new config can be applied without rebinding: same address, port, protocols, TLS settings and timeouts.</summary>
    public bool SameBinding(ListenerConfig other) =>
        Config.Address.Equals(other.Address) && Config.Port == other.Port && Config.Protocol == other.Protocol
        && Config.Alpn == other.Alpn && Config.IdleTimeout == other.IdleTimeout
        && Equals(Config.Certificate, other.Certificate) && Config.SniCertificates.SequenceEqual(other.SniCertificates)
        && Config.TlsProtocols == other.TlsProtocols;

    public void Update(ListenerConfig config, RouteTable routes)
    {
        Config = config;
        Volatile.Write(ref _routes, routes);
    }

    public async Task StartAsync(IHttpForwarder forwarder, TimeProvider time, ProxyMetrics metrics, AccessLog accessLog, CancellationToken cancellationToken)
    {
        var kestrel = new KestrelServerOptions { ApplicationServices = _services, AddServerHeader = false };
        var limits = kestrel.Limits;
        limits.MaxRequestBodySize = null; // ALB does not cap bodies
        limits.MaxRequestLineSize = _options.MaxRequestLineSize;
        limits.MaxRequestHeadersTotalSize = _options.MaxRequestHeadersTotalSize;
        limits.RequestHeadersTimeout = _options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = Config.IdleTimeout;
        limits.Http2.KeepAlivePingDelay = TimeSpan.MaxValue;
        // Enough streams per connection for gRPC fan-out, and windows big enough that one stream is not throttled.
        limits.Http2.MaxStreamsPerConnection = 1000;
        limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
        limits.Http2.InitialStreamWindowSize = 1024 * 1024;

        var endpoint = new IPEndPoint(Config.Address, Config.Port);
        IConnectionListenerFactory transport = new SocketTransportFactory(
            Options.Create(new SocketTransportOptions { UnsafePreferInlineScheduling = _options.InlineScheduling }), _loggerFactory);
        CleartextDemuxListenerFactory? demux = null;
        if (Config.Protocol == ListenerProtocol.Https)
        {
            var certificates = new List<X509Certificate2>
            {
                LoadCertificate(Config.Certificate ?? throw new InvalidOperationException($"HTTPS listener {Config.Id} has no certificate.")),
            };
            certificates.AddRange(Config.SniCertificates.Select(LoadCertificate));
            (HttpProtocols Protocols, List<SslApplicationProtocol> Offer) alpn = Config.Alpn switch
            {
                AlpnPolicy.None => (HttpProtocols.Http1, []),
                AlpnPolicy.Http1Only => (HttpProtocols.Http1, [SslApplicationProtocol.Http11]),
                AlpnPolicy.Http2Only => (HttpProtocols.Http2, [SslApplicationProtocol.Http2]),
                AlpnPolicy.Http2Optional => (HttpProtocols.Http1AndHttp2, [SslApplicationProtocol.Http11, SslApplicationProtocol.Http2]),
                _ => (HttpProtocols.Http1AndHttp2, [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]),
            };
            kestrel.Listen(endpoint, o =>
            {
                o.Protocols = alpn.Protocols;
                o.Use(TlsConnectionMiddleware.Create(certificates, Config.TlsProtocols, alpn.Offer, _options.RequestHeadersTimeout));
            });
        }
        else if (Config.Alpn == AlpnPolicy.Http1Only)
        {
            kestrel.Listen(endpoint, o => o.Protocols = HttpProtocols.Http1); // HTTP/2 turned off: no h2c
        }
        else if (_options.Http1FastPath && Http1Engine.IsSupported)
        {
            // Plain HTTP/1.1 is served by the fast path's own loops; Kestrel gets h2c and what the fast path hands on.
            transport = _fastPath = new FastPathListenerFactory(
                (bindTo, handOff) => new Http1Listener(bindTo, this, Http1Engine.Shared, handOff, _options, time, metrics, accessLog),
                _options.InlineScheduling,
                _loggerFactory);
            kestrel.Listen(new DemuxEndPoint(endpoint, HttpProtocols.Http1), o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(new DemuxEndPoint(endpoint, HttpProtocols.Http2), o => o.Protocols = HttpProtocols.Http2);
        }
        else
        {
            transport = demux = new CleartextDemuxListenerFactory(transport, _options.RequestHeadersTimeout);
            kestrel.Listen(new DemuxEndPoint(endpoint, HttpProtocols.Http1), o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(new DemuxEndPoint(endpoint, HttpProtocols.Http2), o => o.Protocols = HttpProtocols.Http2);
        }

        var server = new KestrelServer(Options.Create(kestrel), transport, _loggerFactory);
        try
        {
            await server.StartAsync(new ListenerApplication(this, forwarder, time, metrics, accessLog), cancellationToken);
        }
        catch
        {
            server.Dispose();
            DisposeFastPath();
            throw;
        }
        _server = server;
        EndPoint = demux?.BoundEndPoint ?? _fastPath?.BoundEndPoint ?? BoundEndPoint(server, endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is null) return;
        // In-flight requests get the grace period, then Kestrel (and the fast path) cut them.
        using var grace = new CancellationTokenSource(_options.ListenerStopTimeout);
        try
        {
            var fastPath = _fastPath?.Listener?.DrainAsync(_options.ListenerStopTimeout) ?? Task.CompletedTask;
            await _server.StopAsync(grace.Token);
            await fastPath;
        }
        finally
        {
            _server.Dispose();
            _server = null;
            DisposeFastPath();
        }
    }

    private void DisposeFastPath()
    {
        _fastPath?.Listener?.Dispose();
        _fastPath?.Dispose();
        _fastPath = null;
    }

    private static IPEndPoint BoundEndPoint(KestrelServer server, IPEndPoint requested)
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0) return new IPEndPoint(requested.Address, uri.Port);
        }
        return requested;
    }

    private static X509Certificate2 LoadCertificate(CertificateSource source)
    {
        var extension = Path.GetExtension(source.Path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(source.Path, source.Password);
        }
        using var pem = X509Certificate2.CreateFromPemFile(source.Path, source.KeyPath);
        // Re-import: an ephemeral PEM key cannot be used by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
