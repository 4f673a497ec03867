using Portolan.Health.Subjects;

namespace Portolan.Health.Probing;

/// <summary>Runs one probe. Never throws for anything the target does: every failure is a classified <see cref="ProbeResult"/>.</summary>
public interface IProber
{
    /// <summary>Probes <paramref name="spec"/>, giving up after <see cref="ProbeSpec.Timeout"/>.</summary>
    /// <param name="spec">The probe.</param>
    /// <param name="cancellationToken">Shutdown; a probe cancelled by it ends in <see cref="OperationCanceledException"/>.</param>
    Task<ProbeResult> ProbeAsync(ProbeSpec spec, CancellationToken cancellationToken);

    /// <summary>The scheduler stopped probing <paramref name="spec"/>: drop anything kept for it (e.g. a gRPC channel).</summary>
    void Forget(ProbeSpec spec);

    /// <summary>
    /// Nothing probes <paramref name="host"/>:<paramref name="port"/> any more: close what is kept open to it (pooled
    /// connections), so the target sees the health checker go at once.
    /// </summary>
    void Release(string host, int port)
    {
    }
}
