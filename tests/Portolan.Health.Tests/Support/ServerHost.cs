using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Core.LoadBalancing;
using Portolan.Hosting;
using Portolan.Testing;

namespace Portolan.Health.Tests.Support;

/// <summary>The real server in-process (registries on SQLite, DNS, health engine) on loopback with ephemeral ports.</summary>
public sealed class ServerHost : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("portolan-health-host");

    public PortolanHost Host { get; private set; } = null!;
    public LoadBalancingRegistry LoadBalancing => Host.Services.GetRequiredService<LoadBalancingRegistry>();
    public Portolan.Health.Reporting.HealthView View => Host.Services.GetRequiredService<Portolan.Health.Reporting.HealthView>();

    public async Task InitializeAsync() =>
        Host = await PortolanHost.StartAsync(new PortolanOptions
        {
            DataDir = _dir.Path,
            ApiEndpoints = [new HostPort("127.0.0.1", 0)],
            DnsEndpoint = new HostPort("127.0.0.1", 0),
        }, configureServices: null, logging => logging.ClearProviders());

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _dir.Dispose();
    }


    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
