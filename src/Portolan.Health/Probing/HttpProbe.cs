using System.Net;
using System.Net.Http;
using Portolan.Health.Matching;
using Portolan.Health.Subjects;

namespace Portolan.Health.Probing;

/// <summary>HTTP/1.1 and HTTP/2 GET probes; one client per protocol version so each keeps its own connections.</summary>
internal sealed class HttpProbe(ProbeConnections connections) : IDisposable
{
    private readonly HttpClient _http1 = new(NetworkProber.NewHandler(connections)) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly HttpClient _http2 = new(NetworkProber.NewHandler(connections)) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<(ProbeOutcome, int?, string?)> GetAsync(ProbeSpec spec, CancellationToken ct)
    {
        var http2 = spec.Protocol == ProbeProtocol.Http2;
        using var request = new HttpRequestMessage(HttpMethod.Get, spec.Authority + (spec.Path ?? "/"))
        {
            // Exact: an HTTP/2 probe over cleartext is h2c with prior knowledge, over TLS it must negotiate h2.
            Version = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (spec.UserAgent is { } agent) request.Headers.TryAddWithoutValidation("User-Agent", agent);
        // Headers only: the body is drained (up to 64 KiB) on dispose so the connection goes back to the pool.
        using var response = await (http2 ? _http2 : _http1).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var code = (int)response.StatusCode;
        var matcher = spec.Matcher ?? CodeMatcher.Http200;
        return matcher.Matches(code)
            ? (ProbeOutcome.Success, code, $"HTTP {code}")
            : (ProbeOutcome.WrongStatus, code, $"HTTP {code}, expected {matcher.Text}");
    }

    public void Dispose()
    {
        _http1.Dispose();
        _http2.Dispose();
    }
}
