using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Proxy.Tests.Support;
using Portolan.Testing;

namespace Portolan.Proxy.Tests.FromRegistry;

/// <summary>
/// HTTPS listeners made through the registry: the certificate files their ARNs name (PEM with the key inside or in a
/// <c>.key</c> file beside it), SNI certificates, the security policy's TLS versions and the ALPN policy, checked with
/// a real TLS client and real HTTP/2 traffic.
/// </summary>
public sealed class RegistryTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private RegistryProxyHost _host = null!;
    private Backend _backend = null!;
    private TargetGroupRecord _tg = null!;
    private string _defaultPem = "";
    private string _otherPem = "";

    public async Task InitializeAsync()
    {
        _defaultPem = WritePem("default", separateKey: false);
        _otherPem = WritePem("other", separateKey: true);
        _backend = await Backend.StartAsync("tls-backend");
        _host = await RegistryProxyHost.StartAsync();
        _tg = await _host.TargetGroupAsync("tls-tg", _backend.Port);
        await _host.Registry.RegisterTargetsAsync(_tg.Arn, [new TargetDescription("127.0.0.1")]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _backend.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task HttpsListener_ServesHttp2_WithTheDefaultCertificate_AndSniPicksAnother()
    {
        var listener = await HttpsListenerAsync("https-sni");
        await _host.Registry.AddListenerCertificatesAsync(listener.Arn, [_otherPem]);
        await _host.SyncAsync();
        var port = _host.Listeners.FindEndPoint(listener.Arn)!.Port;

        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = static (_, c, _, _) => Ours(c) } };
        using var client = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.GetAsync(new Uri($"https://127.0.0.1:{port}/secure"));
        Assert.Equal(HttpVersion.Version20, response.Version);
        var seen = await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>();
        Assert.Equal("tls-backend", seen!["server"]);
        Assert.Equal("https", seen["xfproto"]);

        Assert.Equal("CN=default.localhost", (await HandshakeAsync(port, "default.localhost")).Certificate);
        Assert.Equal("CN=other.localhost", (await HandshakeAsync(port, "other.localhost")).Certificate);
        Assert.Equal("CN=default.localhost", (await HandshakeAsync(port, "unknown.localhost")).Certificate);
    }

    [Fact]
    public async Task AlpnPolicy_DecidesTheProtocol()
    {
        var listener = await HttpsListenerAsync("https-alpn");
        var port = _host.Listeners.FindEndPoint(listener.Arn)!.Port;
        Assert.Equal(SslApplicationProtocol.Http2, (await HandshakeAsync(port, "default.localhost")).Alpn);

        await _host.Registry.ModifyListenerAsync(new ModifyListenerCommand { ListenerArn = listener.Arn, AlpnPolicy = ["HTTP1Only"] });
        await _host.SyncAsync();
        Assert.Equal(SslApplicationProtocol.Http11, (await HandshakeAsync(port, "default.localhost")).Alpn);

        await _host.Registry.ModifyListenerAsync(new ModifyListenerCommand { ListenerArn = listener.Arn, AlpnPolicy = ["HTTP2Optional"] });
        await _host.SyncAsync();
        Assert.Equal(SslApplicationProtocol.Http11, (await HandshakeAsync(port, "default.localhost")).Alpn); // offered both: HTTP/1.1 preferred
        Assert.Equal(SslApplicationProtocol.Http2, (await HandshakeAsync(port, "default.localhost", [SslApplicationProtocol.Http2])).Alpn);
    }

    [Fact]
    public async Task SecurityPolicy_SetsTheTlsVersions()
    {
        var listener = await HttpsListenerAsync("https-tls13", "ELBSecurityPolicy-TLS13-1-3-2021-06");
        var port = _host.Listeners.FindEndPoint(listener.Arn)!.Port;
        Assert.Equal(SslProtocols.Tls13, (await HandshakeAsync(port, "default.localhost")).Protocol);
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(port, "default.localhost", protocols: SslProtocols.Tls12));
    }

    [Fact]
    public async Task Http2Disabled_OnTheLoadBalancer_LeavesHttp11()
    {
        var listener = await HttpsListenerAsync("https-no-h2");
        await _host.Registry.ModifyLoadBalancerAttributesAsync(listener.LoadBalancerArn, [new(LoadBalancerAttributes.Http2Enabled, "false")]);
        await _host.SyncAsync();
        var port = _host.Listeners.FindEndPoint(listener.Arn)!.Port;
        Assert.Equal(SslApplicationProtocol.Http11, (await HandshakeAsync(port, "default.localhost")).Alpn);
    }

    private async Task<ListenerRecord> HttpsListenerAsync(string name, string? sslPolicy = null)
    {
        var lb = await _host.LoadBalancerAsync(name);
        var listener = await _host.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Https, Port = FreePorts.Next(), SslPolicy = sslPolicy,
            CertificateArns = [_defaultPem], DefaultActions = [RegistryProxyHost.Forward(_tg.Arn)],
        });
        await _host.SyncAsync();
        return listener;
    }

    private static async Task<(string Certificate, SslApplicationProtocol Alpn, SslProtocols Protocol)> HandshakeAsync(
        int port, string serverName, List<SslApplicationProtocol>? alpn = null, SslProtocols protocols = SslProtocols.None)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = alpn ?? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = static (_, c, _, _) => Ours(c),
        });
        return (ssl.RemoteCertificate!.Subject, ssl.NegotiatedApplicationProtocol, ssl.SslProtocol);
    }

    /// <summary>Self-signed, so pinned: one of the certificates this test wrote.</summary>
    private static bool Ours(X509Certificate? certificate) =>
        certificate?.Subject is "CN=default.localhost" or "CN=other.localhost";

    /// <summary>A self-signed certificate for <c>{name}.localhost</c> as PEM, its key inside or in <c>{name}.key</c>; returns the path.</summary>
    private string WritePem(string name, bool separateKey)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}.localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName($"{name}.localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(_dir.Path, name + ".pem");
        if (separateKey)
        {
            File.WriteAllText(path, certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(_dir.Path, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        }
        else
        {
            File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        }
        return path;
    }
}
