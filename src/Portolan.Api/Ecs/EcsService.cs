using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Portolan.Api.Edge;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Api.Ecs;

/// <summary>
/// Amazon ECS (JSON 1.1, <c>AmazonEC2ContainerServiceV20141113.*</c>): clusters, task definitions, services, tasks and
/// tags. Writes go through the <see cref="EcsRegistry"/>; reads come from the snapshot, with running and pending counts
/// counted from the tasks the process runtime reports.
/// </summary>
internal sealed partial class EcsService : IAwsService
{
    private delegate ValueTask Handler(EcsService self, AwsCall call, Utf8JsonWriter w, CancellationToken ct);

    private static readonly FrozenDictionary<string, Handler> Handlers = new Dictionary<string, Handler>
    {
        ["CreateCluster"] = static (s, c, w, ct) => s.CreateCluster(c, w, ct),
        ["DescribeClusters"] = static (s, c, w, _) => s.DescribeClusters(c, w),
        ["ListClusters"] = static (s, c, w, _) => s.ListClusters(c, w),
        ["DeleteCluster"] = static (s, c, w, ct) => s.DeleteCluster(c, w, ct),
        ["RegisterTaskDefinition"] = static (s, c, w, ct) => s.RegisterTaskDefinition(c, w, ct),
        ["DescribeTaskDefinition"] = static (s, c, w, _) => s.DescribeTaskDefinition(c, w),
        ["ListTaskDefinitions"] = static (s, c, w, _) => s.ListTaskDefinitions(c, w),
        ["ListTaskDefinitionFamilies"] = static (s, c, w, _) => s.ListTaskDefinitionFamilies(c, w),
        ["DeregisterTaskDefinition"] = static (s, c, w, ct) => s.DeregisterTaskDefinition(c, w, ct),
        ["CreateService"] = static (s, c, w, ct) => s.CreateService(c, w, ct),
        ["DescribeServices"] = static (s, c, w, _) => s.DescribeServices(c, w),
        ["ListServices"] = static (s, c, w, _) => s.ListServices(c, w),
        ["UpdateService"] = static (s, c, w, ct) => s.UpdateService(c, w, ct),
        ["DeleteService"] = static (s, c, w, ct) => s.DeleteService(c, w, ct),
        ["RunTask"] = static (s, c, w, ct) => s.RunTask(c, w, ct),
        ["StartTask"] = static (s, c, w, ct) => s.StartTask(c, w, ct),
        ["StopTask"] = static (s, c, w, ct) => s.StopTask(c, w, ct),
        ["ListTasks"] = static (s, c, w, _) => s.ListTasks(c, w),
        ["DescribeTasks"] = static (s, c, w, _) => s.DescribeTasks(c, w),
        ["TagResource"] = static (s, c, w, ct) => s.TagResource(c, w, ct),
        ["UntagResource"] = static (s, c, w, ct) => s.UntagResource(c, w, ct),
        ["ListTagsForResource"] = static (s, c, w, _) => s.ListTagsForResource(c, w),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly EcsRegistry _registry;
    private readonly ISnapshotSource _snapshots;
    private readonly EcsWriter _writer;

    public EcsService(EcsRegistry registry, ISnapshotSource snapshots)
    {
        _registry = registry;
        _snapshots = snapshots;
        _writer = new EcsWriter(registry.Arns);
    }

    public string SigningName => "ecs";
    public string? JsonTargetPrefix => "AmazonEC2ContainerServiceV20141113";
    public string? QueryVersion => null;
    public string JsonErrorMessageMember => "message";
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

    private RegistrySnapshot Snapshot => _snapshots.Current;

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
        string.IsNullOrEmpty(value) ? throw Invalid($"{member} is required.") : value;

    private static AwsServiceException Invalid(string message) => new(EcsErrors.InvalidParameter, message);

    private static bool Includes(List<string>? include, string field) => include?.Contains(field) == true;

    private static void Empty(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteEndObject();
    }
}
