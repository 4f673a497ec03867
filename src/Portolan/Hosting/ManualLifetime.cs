using Microsoft.Extensions.Hosting;

namespace Portolan.Hosting;

/// <summary>
/// Replaces the generic host's console lifetime, which would hook SIGINT/SIGTERM in every process that hosts a
/// <see cref="PortolanHost"/> (test runners included). Signals are handled by <c>Program</c> for the CLI instead.
/// </summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
