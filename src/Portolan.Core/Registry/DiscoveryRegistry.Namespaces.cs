using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Ids;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Registry;

public sealed partial class DiscoveryRegistry
{
    /// <summary>AWS's SOA TTL for new Cloud Map namespaces when none is given.</summary>
    public const long DefaultSoaTtl = 15;

    /// <summary>Creates a namespace; returns the CREATE_NAMESPACE operation id.</summary>
    public Task<string> CreateNamespaceAsync(CreateNamespaceCommand cmd, CancellationToken ct = default)
    {
        var name = Names.Namespace(cmd.Name, cmd.Type);
        Names.Description(cmd.Description);
        Names.CreatorRequestId(cmd.CreatorRequestId);
        Tags.Validate(cmd.Tags);
        if (cmd.Tags is { Count: > Tags.MaxPerResource }) throw new RegistryException(ErrorCodes.TooManyTags, $"A namespace can have at most {Tags.MaxPerResource} tags.");
        if (cmd.Type == NamespaceType.DnsPrivate && string.IsNullOrEmpty(cmd.Vpc)) throw RegistryException.InvalidInput("Vpc is required for a private DNS namespace.");
        if (cmd.SoaTtl is < 0 or > int.MaxValue) throw RegistryException.InvalidInput("SOA TTL must be between 0 and 2147483647.");

        return CommitAsync(s =>
        {
            if (cmd.CreatorRequestId is { } crid && FindByCreatorRequestId(s, crid) is { } earlier)
            {
                // A retry of the same request gets the same operation; anything else reusing the id is a duplicate.
                if (earlier.Record.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && earlier.Record.Type == cmd.Type)
                    return new Plan<string>(null, earlier.Record.CreateOperationId);
                throw new RegistryException(ErrorCodes.DuplicateRequest, $"CreatorRequestId {crid} was already used to create namespace {earlier.Id}.",
                    new Dictionary<string, string> { ["DuplicateOperationId"] = earlier.Record.CreateOperationId });
            }
            if (s.FindNamespaceByName(name) is { } existing)
            {
                throw new RegistryException(ErrorCodes.NamespaceAlreadyExists, $"Namespace {name} already exists.", Fields(
                    ("CreatorRequestId", existing.Record.CreatorRequestId), ("NamespaceId", existing.Id)));
            }
            var max = _options.EffectiveMaxNamespaces;
            if (max > 0 && s.Namespaces.Count >= max) throw new RegistryException(ErrorCodes.ResourceLimitExceeded, $"The limit of {max} namespaces is reached.");

            var now = Now();
            var id = ResourceIds.NewNamespaceId();
            var opId = ResourceIds.NewOperationId(now);
            var record = new NamespaceRecord
            {
                Id = id, Arn = Arns.Namespace(id), Name = name, Type = cmd.Type, Description = cmd.Description,
                HttpName = name, Vpc = cmd.Vpc, CreateDate = now, CreatorRequestId = cmd.CreatorRequestId, CreateOperationId = opId,
                HostedZoneId = cmd.Type == NamespaceType.Http ? null : ResourceIds.NewHostedZoneId(),
                SoaTtl = cmd.Type == NamespaceType.Http ? null : cmd.SoaTtl ?? DefaultSoaTtl,
            };
            var ops = new List<TxnOp>
            {
                TxnOp.Put(StoreKeys.Namespace(id), RecordJson.Serialize(record)),
                TxnOp.Put(StoreKeys.NamespaceName(name), System.Text.Encoding.UTF8.GetBytes(id)),
                OperationWrite(opId, OperationType.CreateNamespace, now, (OperationTargetType.Namespace, id)),
            };
            if (cmd.Tags is { Count: > 0 }) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new Plan<string>(new Txn([Compare.Absent(StoreKeys.NamespaceName(name))], ops), opId);
        }, ct);
    }

    /// <summary>Updates a namespace's description and SOA TTL; returns the UPDATE_NAMESPACE operation id.</summary>
    public Task<string> UpdateNamespaceAsync(UpdateNamespaceCommand cmd, CancellationToken ct = default)
    {
        Names.Description(cmd.Description);
        if (cmd.SoaTtl is < 0 or > int.MaxValue) throw RegistryException.InvalidInput("SOA TTL must be between 0 and 2147483647.");
        return CommitAsync(s =>
        {
            var ns = RequireNamespace(s, cmd.Id);
            if (ns.Record.Type != cmd.Type)
                throw RegistryException.InvalidInput($"Namespace {cmd.Id} is not a {TypeName(cmd.Type)} namespace.");
            var now = Now();
            var opId = ResourceIds.NewOperationId(now);
            var record = ns.Record with
            {
                Description = cmd.Description ?? ns.Record.Description,
                SoaTtl = cmd.SoaTtl ?? ns.Record.SoaTtl,
            };
            return new Plan<string>(new Txn([Compare.ModRevisionIs(StoreKeys.Namespace(ns.Id), ns.ModRevision)],
            [
                TxnOp.Put(StoreKeys.Namespace(ns.Id), RecordJson.Serialize(record)),
                OperationWrite(opId, OperationType.UpdateNamespace, now, (OperationTargetType.Namespace, ns.Id)),
            ]), opId);
        }, ct);
    }

    /// <summary>Deletes an empty namespace; returns the DELETE_NAMESPACE operation id.</summary>
    public Task<string> DeleteNamespaceAsync(string id, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var ns = RequireNamespace(s, id);
            if (!ns.ServiceIds.IsEmpty)
                throw new RegistryException(ErrorCodes.ResourceInUse, $"Namespace {id} has {ns.ServiceIds.Count} service(s); delete them first.");
            var now = Now();
            var opId = ResourceIds.NewOperationId(now);
            return new Plan<string>(new Txn(
            [
                Compare.ModRevisionIs(StoreKeys.Namespace(id), ns.ModRevision),
                // Every CreateService touches this key, so a service created meanwhile fails the delete.
                Compare.ModRevisionIs(StoreKeys.NamespaceServices(id), ns.ServicesRevision),
            ],
            [
                TxnOp.Delete(StoreKeys.Namespace(id)),
                TxnOp.Delete(StoreKeys.NamespaceName(ns.Record.Name)),
                TxnOp.Delete(StoreKeys.NamespaceServices(id)),
                TxnOp.Delete(StoreKeys.TagsOf(ns.Record.Arn)),
                OperationWrite(opId, OperationType.DeleteNamespace, now, (OperationTargetType.Namespace, id)),
            ]), opId);
        }, ct);

    private static NamespaceEntry? FindByCreatorRequestId(RegistrySnapshot s, string creatorRequestId)
    {
        foreach (var ns in s.Namespaces.Values)
        {
            if (ns.Record.CreatorRequestId == creatorRequestId) return ns;
        }
        return null;
    }

    private static string TypeName(NamespaceType type) => type switch
    {
        NamespaceType.Http => "HTTP",
        NamespaceType.DnsPrivate => "private DNS",
        _ => "public DNS",
    };

    private static Dictionary<string, string> Fields(params (string Key, string? Value)[] fields)
    {
        var map = new Dictionary<string, string>();
        foreach (var (k, v) in fields)
        {
            if (v is not null) map[k] = v;
        }
        return map;
    }
}
