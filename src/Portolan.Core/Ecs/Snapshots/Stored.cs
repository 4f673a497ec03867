namespace Portolan.Core.Ecs.Snapshots;

/// <summary>A record as of the snapshot, with the revisions a command compares against to be sure it is unchanged.</summary>
public sealed record Stored<T>(T Record, long CreateRevision, long ModRevision);
