using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Grpc;
using Portolan.Proxy.Tests.Support;
using Portolan.Testing;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>An HTTPS listener with a certificate from PEM files: ALPN picks h2 or http/1.1.</summary>
public sealed class HttpsListenerTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private ProxyHost _proxy = null!;
    private Backend _h1 = null!;
    private Backend _grpc = null!;
    private string _thumbprint = "";

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _thumbprint = cert.Thumbprint;
        var certPath = Path.Combine(_dir.Path, "cert.pem");
        var keyPath = Path.Combine(_dir.Path, "key.pem");
        await File.WriteAllTextAsync(certPath, cert.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        _h1 = await Backend.StartAsync("h1");
        _grpc = await Backend.StartAsync("grpc", http2: true);
        _proxy = await ProxyHost.StartAsync();
        var listener = ProxyHost.Listener("tls", "tg-h1", new RuleConfig
        {
            Priority = 5,
            Conditions = [new HttpHeaderCondition("content-type", ["application/grpc*"])],
            Action = ForwardAction.To("tg-grpc"),
        }) with { Protocol = ListenerProtocol.Https, Certificate = new CertificateSource(certPath, keyPath) };
        await _proxy.ApplyAsync(
            [ProxyHost.Group("tg-h1", _h1), ProxyHost.Group("tg-grpc", _grpc) with { ProtocolVersion = TargetProtocolVersion.Grpc }],
            listener);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _h1.DisposeAsync();
        await _grpc.DisposeAsync();
        _dir.Dispose();
    }

    // Trusts exactly the certificate the listener was given.
    private SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _thumbprint },
    };

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Alpn_NegotiatesTheClientsVersion(string version)
    {
        using var client = new HttpClient(TrustingHandler())
        {
            DefaultRequestVersion = Version.Parse(version),
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.GetAsync(new Uri(_proxy.Url("tls", "https"), "/x"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version, response.Version.ToString());
        var seen = (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!;
        Assert.Equal("https", seen["xfproto"]);
    }

    [Fact]
    public async Task Grpc_OverTls_RoutedByContentType()
    {
        using var channel = GrpcChannel.ForAddress(_proxy.Url("tls", "https"), new GrpcChannelOptions { HttpHandler = TrustingHandler() });
        var reply = await new Echo.EchoClient(channel).UnaryAsync(new EchoRequest { Message = "tls" });
        Assert.Equal("grpc", reply.Server);
    }
}
