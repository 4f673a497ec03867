using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Portolan.Proxy.Listeners;

/// <summary>
/// TLS for an HTTPS listener: its certificates (a default one, more by SNI), TLS versions and ALPN offer.
/// Kestrel's own <c>UseHttps</c> needs services that only its web-host wiring registers, which a Kestrel server
/// built per listener does not have; this does the same job with public pieces: an <see cref="SslStream"/> over the connection, the TLS features Kestrel reads to
/// pick HTTP/2 and to say <c>https</c>, and pipes over the decrypted stream.
/// </summary>
internal static class TlsConnectionMiddleware
{
    /// <param name="certificates">The default certificate first, then the ones offered by SNI.</param>
    /// <param name="protocols">The TLS versions allowed; <c>None</c> leaves the choice to the system.</param>
    /// <param name="alpn">The application protocols offered, most preferred first; empty for no ALPN.</param>
    /// <param name="handshakeTimeout">How long a client may take to finish the handshake.</param>
    public static Func<ConnectionDelegate, ConnectionDelegate> Create(
        IReadOnlyList<X509Certificate2> certificates, SslProtocols protocols, List<SslApplicationProtocol> alpn, TimeSpan handshakeTimeout)
    {
        var options = certificates.Select(c => (Certificate: c, Options: new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(c, additionalCertificates: null, offline: true),
            ApplicationProtocols = alpn.Count == 0 ? null : alpn,
            EnabledSslProtocols = protocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        })).ToArray();

        // SNI: the first certificate that covers the name the client asked for, else the default.
        ServerOptionsSelectionCallback select = (_, hello, _, _) =>
        {
            if (options.Length > 1 && !string.IsNullOrEmpty(hello.ServerName))
            {
                foreach (var (certificate, o) in options.AsSpan(1))
                {
                    if (certificate.MatchesHostname(hello.ServerName)) return ValueTask.FromResult(o);
                }
            }
            return ValueTask.FromResult(options[0].Options);
        };

        return next => async connection =>
        {
            var ssl = new SslStream(new DuplexPipeStream(connection.Transport), leaveInnerStreamOpen: false);
            try
            {
                using (var timeout = new CancellationTokenSource(handshakeTimeout))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed))
                {
                    await ssl.AuthenticateAsServerAsync(select, null, linked.Token);
                }
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
            {
                await ssl.DisposeAsync();
                return; // failed or too slow handshake: drop the connection
            }

            var feature = new TlsFeature(ssl);
            connection.Features.Set<ITlsConnectionFeature>(feature);
            connection.Features.Set<ITlsApplicationProtocolFeature>(feature);
            connection.Features.Set<ITlsHandshakeFeature>(feature);
            var original = connection.Transport;
            var input = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
            var output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
            connection.Transport = new DuplexPipe(input, output);
            try
            {
                await next(connection);
            }
            finally
            {
                await input.CompleteAsync();
                await output.CompleteAsync();
                connection.Transport = original;
                await ssl.DisposeAsync();
            }
        };
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    private sealed class TlsFeature(SslStream ssl) : ITlsConnectionFeature, ITlsApplicationProtocolFeature, ITlsHandshakeFeature
    {
        public X509Certificate2? ClientCertificate
        {
            get => null;
            set => throw new NotSupportedException();
        }

        public ReadOnlyMemory<byte> ApplicationProtocol => ssl.NegotiatedApplicationProtocol.Protocol;

        public SslProtocols Protocol => ssl.SslProtocol;

        public TlsCipherSuite? NegotiatedCipherSuite => ssl.NegotiatedCipherSuite;

        public string HostName => ssl.TargetHostName;

#pragma warning disable SYSLIB0058 // obsolete members of the interface, still required to implement it
        public CipherAlgorithmType CipherAlgorithm => ssl.CipherAlgorithm;
        public int CipherStrength => ssl.CipherStrength;
        public HashAlgorithmType HashAlgorithm => ssl.HashAlgorithm;
        public int HashStrength => ssl.HashStrength;
        public ExchangeAlgorithmType KeyExchangeAlgorithm => ssl.KeyExchangeAlgorithm;
        public int KeyExchangeStrength => ssl.KeyExchangeStrength;
#pragma warning restore SYSLIB0058

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
