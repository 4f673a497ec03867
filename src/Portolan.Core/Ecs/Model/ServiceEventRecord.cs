namespace Portolan.Core.Ecs.Model;

/// <summary>A service event, as <c>describe-services</c> lists them (newest first, at most 100 kept).</summary>
public sealed record ServiceEventRecord(string Id, DateTimeOffset CreatedAt, string Message);
