using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Portolan.Hosting;
using Portolan.Testing;

namespace Portolan.Api.Tests.Elb;

/// <summary>The real host in-process (Kestrel on 127.0.0.1:0, SQLite in a temp dir) with its own ELB service, plus raw Query calls.</summary>
public sealed class ElbHost : IAsyncLifetime
{
    public static readonly XNamespace Ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    private readonly TempDirectory _dataDir = new("portolan-elb-wire");
    private PortolanHost? _host;

    public HttpClient Client { get; } = new();

    public Uri ApiUri => _host!.ApiUri;

    public async Task InitializeAsync() =>
        _host = await PortolanHost.StartAsync(
            new PortolanOptions { ApiEndpoints = [new HostPort("127.0.0.1", 0)], DataDir = _dataDir.Path },
            configureServices: null,
            configureLogging: logging => logging.ClearProviders());

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _dataDir.Dispose();
    }

    /// <summary>Posts form pairs as they are (order kept); returns the status and the parsed XML reply.</summary>
    public async Task<(int Status, XDocument Xml, string Body)> PostAsync(IEnumerable<KeyValuePair<string, string>> form)
    {
        using var response = await Client.PostAsync(ApiUri, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, XDocument.Parse(body), body);
    }

    /// <summary>A successful call's <c>&lt;OpResult&gt;</c>, after checking the envelope AWS clients parse.</summary>
    public async Task<XElement> OkAsync(string action, IEnumerable<KeyValuePair<string, string>> form)
    {
        var (status, xml, body) = await PostAsync(form);
        Assert.True(status == 200, body);
        Assert.Equal(Ns + action + "Response", xml.Root!.Name);
        Assert.False(string.IsNullOrEmpty(xml.Root.Element(Ns + "ResponseMetadata")?.Element(Ns + "RequestId")?.Value));
        return xml.Root.Element(Ns + action + "Result") ?? throw new Xunit.Sdk.XunitException($"no {action}Result in {body}");
    }
}
