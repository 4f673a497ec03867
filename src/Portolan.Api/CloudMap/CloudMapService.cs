using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Portolan.Api.Edge;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Api.CloudMap;

/// <summary>
/// AWS Cloud Map (servicediscovery, JSON 1.1, <c>Route53AutoNaming_v20170314.*</c>): every operation of the
/// 2017-03-14 API. Writes go through the <see cref="DiscoveryRegistry"/>; reads come from the snapshot
/// (operations from the <see cref="OperationLog"/>).
/// </summary>
internal sealed partial class CloudMapService : IAwsService
{
    private delegate ValueTask Handler(CloudMapService self, AwsCall call, Utf8JsonWriter w, CancellationToken ct);

    private static readonly FrozenDictionary<string, Handler> Handlers = new Dictionary<string, Handler>
    {
        ["CreateHttpNamespace"] = static (s, c, w, ct) => s.CreateHttpNamespace(c, w, ct),
        ["CreatePrivateDnsNamespace"] = static (s, c, w, ct) => s.CreatePrivateDnsNamespace(c, w, ct),
        ["CreatePublicDnsNamespace"] = static (s, c, w, ct) => s.CreatePublicDnsNamespace(c, w, ct),
        ["UpdateHttpNamespace"] = static (s, c, w, ct) => s.UpdateNamespace(c, w, Core.Discovery.NamespaceType.Http, ct),
        ["UpdatePrivateDnsNamespace"] = static (s, c, w, ct) => s.UpdateNamespace(c, w, Core.Discovery.NamespaceType.DnsPrivate, ct),
        ["UpdatePublicDnsNamespace"] = static (s, c, w, ct) => s.UpdateNamespace(c, w, Core.Discovery.NamespaceType.DnsPublic, ct),
        ["GetNamespace"] = static (s, c, w, _) => s.GetNamespace(c, w),
        ["ListNamespaces"] = static (s, c, w, _) => s.ListNamespaces(c, w),
        ["DeleteNamespace"] = static (s, c, w, ct) => s.DeleteNamespace(c, w, ct),
        ["CreateService"] = static (s, c, w, ct) => s.CreateService(c, w, ct),
        ["GetService"] = static (s, c, w, _) => s.GetService(c, w),
        ["ListServices"] = static (s, c, w, _) => s.ListServices(c, w),
        ["UpdateService"] = static (s, c, w, ct) => s.UpdateService(c, w, ct),
        ["DeleteService"] = static (s, c, w, ct) => s.DeleteService(c, w, ct),
        ["GetServiceAttributes"] = static (s, c, w, _) => s.GetServiceAttributes(c, w),
        ["UpdateServiceAttributes"] = static (s, c, w, ct) => s.UpdateServiceAttributes(c, w, ct),
        ["DeleteServiceAttributes"] = static (s, c, w, ct) => s.DeleteServiceAttributes(c, w, ct),
        ["RegisterInstance"] = static (s, c, w, ct) => s.RegisterInstance(c, w, ct),
        ["DeregisterInstance"] = static (s, c, w, ct) => s.DeregisterInstance(c, w, ct),
        ["GetInstance"] = static (s, c, w, _) => s.GetInstance(c, w),
        ["ListInstances"] = static (s, c, w, _) => s.ListInstances(c, w),
        ["GetInstancesHealthStatus"] = static (s, c, w, _) => s.GetInstancesHealthStatus(c, w),
        ["UpdateInstanceCustomHealthStatus"] = static (s, c, w, ct) => s.UpdateInstanceCustomHealthStatus(c, w, ct),
        ["DiscoverInstances"] = static (s, c, w, _) => s.DiscoverInstances(c, w),
        ["DiscoverInstancesRevision"] = static (s, c, w, _) => s.DiscoverInstancesRevision(c, w),
        ["GetOperation"] = static (s, c, w, ct) => s.GetOperation(c, w, ct),
        ["ListOperations"] = static (s, c, w, ct) => s.ListOperations(c, w, ct),
        ["TagResource"] = static (s, c, w, ct) => s.TagResource(c, w, ct),
        ["UntagResource"] = static (s, c, w, ct) => s.UntagResource(c, w, ct),
        ["ListTagsForResource"] = static (s, c, w, _) => s.ListTagsForResource(c, w),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly DiscoveryRegistry _registry;
    private readonly ISnapshotSource _snapshots;
    private readonly OperationLog _operations;

    public CloudMapService(DiscoveryRegistry registry, ISnapshotSource snapshots, OperationLog operations)
    {
        _registry = registry;
        _snapshots = snapshots;
        _operations = operations;
    }

    public string SigningName => "servicediscovery";
    public string? JsonTargetPrefix => "Route53AutoNaming_v20170314";
    public string? QueryVersion => null;
    public string JsonErrorMessageMember => "Message";
    public string? XmlNamespace => null;

    /// <summary>The names of every operation served, for tests and the status page.</summary>
    public static IEnumerable<string> OperationNames => Handlers.Keys;

    public async ValueTask InvokeAsync(AwsCall call, CancellationToken cancellationToken)
    {
        if (!Handlers.TryGetValue(call.Operation, out var handler)) throw AwsServiceException.UnknownOperation(call.Operation);
        await using var writer = new Utf8JsonWriter(call.Output);
        try
        {
            await handler(this, call, writer, cancellationToken);
        }
        catch (RegistryException e)
        {
            throw new AwsServiceException(e.Code, e.Message, 400, e.Fields);
        }
    }

    private static T Parse<T>(AwsCall call, JsonTypeInfo<T> type) where T : new()
    {
        if (call.Body.IsEmpty) return new T();
        try
        {
            return JsonSerializer.Deserialize(call.Body.Span, type) ?? new T();
        }
        catch (JsonException e)
        {
            throw new AwsServiceException("SerializationException", $"The request body could not be read as {typeof(T).Name.Replace("Request", "", StringComparison.Ordinal)}: {e.Message}");
        }
    }

    private static string Required(string? value, string member) =>
        string.IsNullOrEmpty(value) ? throw Invalid($"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null") : value;

    private static AwsServiceException Invalid(string message) => new(ErrorCodes.InvalidInput, message);

    private static AwsServiceException NotFound(string code, string message) => new(code, message);
}
