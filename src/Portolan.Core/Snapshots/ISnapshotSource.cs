namespace Portolan.Core.Snapshots;

/// <summary>Where readers get the current snapshot. Reading <see cref="Current"/> is one volatile read.</summary>
public interface ISnapshotSource
{
    RegistrySnapshot Current { get; }

    /// <summary>Completes once <see cref="Current"/> is at <paramref name="revision"/> or later.</summary>
    ValueTask WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default);

    /// <summary>Completes when a snapshot newer than <paramref name="revision"/> is published.</summary>
    ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default);
}
