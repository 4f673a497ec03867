using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;

namespace Portolan.Api.Ecs;

internal sealed partial class EcsService
{
    private async ValueTask RegisterTaskDefinition(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.RegisterTaskDefinitionRequest);
        if (r.ContainerDefinitions is null) throw Invalid("containerDefinitions is required.");
        var tags = EcsInput.Tags(r.Tags);
        var td = await _registry.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionCommand
        {
            Family = EcsInput.Str(r.Family) ?? throw new AwsServiceException(EcsErrors.Client, "Family is required."),
            ContainerDefinitions = r.ContainerDefinitions.Select(EcsInput.Container).ToList(),
            NetworkMode = EcsInput.Str(r.NetworkMode), Cpu = EcsInput.Str(r.Cpu), Memory = EcsInput.Str(r.Memory),
            RequiresCompatibilities = EcsInput.Strings(r.RequiresCompatibilities) ?? [],
            TaskRoleArn = EcsInput.Str(r.TaskRoleArn), ExecutionRoleArn = EcsInput.Str(r.ExecutionRoleArn),
            Tags = tags, Extra = JsonPrune.Clean(r.Extra),
        }, ct);
        w.WriteStartObject();
        w.WritePropertyName("taskDefinition");
        EcsWriter.TaskDefinition(w, td, _registry.Options.Account);
        EcsWriter.Tags(w, Snapshot, td.Arn);
        w.WriteEndObject();
    }

    private ValueTask DescribeTaskDefinition(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.TaskDefinitionRequest);
        var s = Snapshot;
        var td = EcsRegistry.FindTaskDefinition(s.Ecs, Required(r.TaskDefinition, "taskDefinition"))
            ?? throw new AwsServiceException(EcsErrors.Client, "Unable to describe task definition.");
        w.WriteStartObject();
        w.WritePropertyName("taskDefinition");
        EcsWriter.TaskDefinition(w, td.Record, _registry.Options.Account);
        if (Includes(r.Include, "TAGS")) EcsWriter.Tags(w, s, td.Record.Arn);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListTaskDefinitions(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.ListRequest);
        var status = StatusFilter(r.Status, allowAll: false);
        var descending = r.Sort switch
        {
            null or "ASC" => false,
            "DESC" => true,
            _ => throw Invalid($"Invalid sort '{r.Sort}'. Use ASC or DESC."),
        };
        // Keys sort as family, then zero-padded revision (ECS's order); DESC is the reverse.
        var all = Snapshot.Ecs.Families
            .Where(f => r.FamilyPrefix is null || f.Key == r.FamilyPrefix)
            .SelectMany(f => f.Value.Values.Select(v => v.Record))
            .Where(td => td.Status == status)
            .Select(td => (Key: $"{td.Family}/{td.Revision:D10}", td.Arn));
        var ordered = descending ? all.OrderByDescending(x => x.Key, StringComparer.Ordinal) : all.OrderBy(x => x.Key, StringComparer.Ordinal);
        var (page, next) = EcsPaging.Page(ordered, x => x.Key, r.NextToken, r.MaxResults, descending: descending);
        w.WriteStartObject();
        EcsWriter.Strings(w, "taskDefinitionArns", page.Select(x => x.Arn));
        if (next is not null) w.WriteString("nextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListTaskDefinitionFamilies(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.ListRequest);
        var status = StatusFilter(r.Status, allowAll: true);
        var families = Snapshot.Ecs.Families
            .Where(f => r.FamilyPrefix is null || f.Key.StartsWith(r.FamilyPrefix, StringComparison.Ordinal))
            .Where(f => status switch
            {
                EcsStatus.Active => f.Value.Values.Any(v => v.Record.IsActive),
                EcsStatus.Inactive => f.Value.Values.All(v => !v.Record.IsActive),
                _ => true,
            })
            .Select(f => f.Key).Order(StringComparer.Ordinal);
        var (page, next) = EcsPaging.Page(families, f => f, r.NextToken, r.MaxResults);
        w.WriteStartObject();
        EcsWriter.Strings(w, "families", page);
        if (next is not null) w.WriteString("nextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask DeregisterTaskDefinition(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.TaskDefinitionRequest);
        var td = await _registry.DeregisterTaskDefinitionAsync(Required(r.TaskDefinition, "taskDefinition"), ct);
        w.WriteStartObject();
        w.WritePropertyName("taskDefinition");
        EcsWriter.TaskDefinition(w, td, _registry.Options.Account);
        w.WriteEndObject();
    }

    private static string StatusFilter(string? status, bool allowAll) => status switch
    {
        null => EcsStatus.Active,
        EcsStatus.Active or EcsStatus.Inactive => status,
        "ALL" when allowAll => status,
        _ => throw Invalid($"Invalid status '{status}'. Use ACTIVE{(allowAll ? ", INACTIVE or ALL" : " or INACTIVE")}."),
    };
}
