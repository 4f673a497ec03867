using System.Text.Json;
using Portolan.Testing;

namespace Portolan.ConsoleTests.Support;

/// <summary>
/// One real <c>portolan serve</c> process (API and DNS on loopback, ephemeral ports, SQLite in a temp dir) shared by a
/// test class, with the real aws CLI pointed at it. Tests stay independent by using unique names.
/// </summary>
public class ConsoleServer : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new("portolan-console");
    private PortolanProcess? _process;

    public PortolanProcess Process => _process ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri ApiUri => Process.ApiUri;

    /// <summary>The console's URL.</summary>
    public string ConsoleUrl => new Uri(ApiUri, "/console/").ToString();

    /// <summary>The DNS port (UDP and TCP), from the <c>dns: udp://…</c> start-up line.</summary>
    public int DnsPort { get; private set; }

    public AwsCli Aws { get; private set; } = null!;

    /// <summary>A client that shows redirects instead of following them.</summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Extra arguments for <c>portolan serve</c>, e.g. <c>--auth FILE</c>.</summary>
    protected virtual IEnumerable<string> ExtraArguments(string dataDir) => [];

    /// <summary>The access key the CLI signs with.</summary>
    protected virtual (string Id, string Secret) CliKey => ("test", "test");

    public async Task InitializeAsync()
    {
        _process = await PortolanProcess.StartAsync(
            ["serve", "--data-dir", _dataDir.Path, "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", .. ExtraArguments(_dataDir.Path)]);
        var dnsLine = _process.StdOut.Split('\n').First(l => l.StartsWith("dns: udp://", StringComparison.Ordinal)).Trim();
        DnsPort = int.Parse(dnsLine[(dnsLine.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Aws = new AwsCli(ApiUri) { AccessKeyId = CliKey.Id, SecretAccessKey = CliKey.Secret };
        Http.BaseAddress = ApiUri;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null) await _process.DisposeAsync();
        _dataDir.Dispose();
    }

    /// <summary>Runs <c>aws servicediscovery ARGS</c>, fails on error, returns the JSON output (null when empty).</summary>
    public async Task<JsonElement?> Sd(params string[] args)
    {
        var result = (await Aws.RunAsync(["servicediscovery", .. args], CancellationToken.None)).EnsureSuccess();
        if (string.IsNullOrWhiteSpace(result.StdOut)) return null;
        using var json = result.Json();
        return json.RootElement.Clone();
    }

    /// <summary>GET with an Accept header, as a script (<c>*/*</c>) or a browser (text/html) sends it.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string accept = "*/*")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return Http.SendAsync(request);
    }
}
