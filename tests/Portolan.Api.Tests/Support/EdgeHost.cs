using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Api.Edge;
using Portolan.Hosting;
using Portolan.Testing;

namespace Portolan.Api.Tests.Support;

/// <summary>
/// The real host (Kestrel, the edge, the status page) in-process on 127.0.0.1 with an ephemeral port, serving
/// <see cref="FakeAwsService"/>s, plus an HttpClient aimed at it.
/// </summary>
internal sealed class EdgeHost : IAsyncDisposable
{
    private readonly TempDirectory _dataDir;

    private EdgeHost(PortolanHost host, TempDirectory dataDir)
    {
        Host = host;
        _dataDir = dataDir;
        Client = new HttpClient { BaseAddress = host.ApiUri };
    }

    public PortolanHost Host { get; }
    public HttpClient Client { get; }
    public Uri ApiUri => Host.ApiUri;

    public static async Task<EdgeHost> StartAsync(
        IEnumerable<IAwsService> services,
        string? authFileContent = null,
        TimeProvider? clock = null,
        Action<IServiceCollection>? configure = null,
        ILoggerProvider? logs = null)
    {
        var dataDir = new TempDirectory("portolan-edge");
        string? authFile = null;
        if (authFileContent is not null)
        {
            authFile = Path.Combine(dataDir.Path, "keys.txt");
            await File.WriteAllTextAsync(authFile, authFileContent);
        }

        var options = new PortolanOptions
        {
            DataDir = dataDir.Path,
            ApiEndpoints = [new HostPort("127.0.0.1", 0)],
            AuthFile = authFile,
        };
        var host = await PortolanHost.StartAsync(
            options,
            s =>
            {
                // The edge is under test here: the server's own services make way for the test's doubles.
                s.RemoveAll<IAwsService>();
                foreach (var service in services)
                {
                    s.AddSingleton(service);
                }

                if (clock is not null)
                {
                    s.AddSingleton(clock);
                }

                configure?.Invoke(s);
            },
            logging =>
            {
                logging.ClearProviders();
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            });
        return new EdgeHost(host, dataDir);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string? target, string body, string contentType = "application/x-amz-json-1.1")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostFormAsync(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
        return Client.PostAsync("/", content);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        _dataDir.Dispose();
    }
}
