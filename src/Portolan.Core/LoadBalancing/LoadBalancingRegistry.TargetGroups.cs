using System.Collections.Immutable;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

public sealed partial class LoadBalancingRegistry
{
    /// <summary>
    /// Creates a target group with AWS's defaults, or returns the existing one when one of that name has the same
    /// settings (idempotent, as on AWS); a different one of that name is DuplicateTargetGroupName.
    /// </summary>
    public Task<TargetGroupRecord> CreateTargetGroupAsync(CreateTargetGroupCommand cmd, CancellationToken ct = default)
    {
        var name = Names.TargetGroup(cmd.Name);
        Validation.Tags.Validate(cmd.Tags);
        var protocol = cmd.Protocol ?? throw ElbErrors.Validation("A protocol must be specified for target groups of type 'instance' or 'ip'");
        if (protocol == ElbProtocol.Geneve) throw ElbErrors.Validation("GENEVE target groups belong to gateway load balancers, which Portolan does not serve");
        var port = cmd.Port ?? throw ElbErrors.Validation("A port must be specified for target groups of type 'instance' or 'ip'");
        if (port is < 1 or > 65535) throw ElbErrors.Validation($"Port '{port}' must be between 1 and 65535");
        var application = protocol is ElbProtocol.Http or ElbProtocol.Https;
        if (cmd.ProtocolVersion is not null && !application) throw ElbErrors.Validation("A protocol version can only be specified for HTTP and HTTPS target groups");
        var version = application ? cmd.ProtocolVersion ?? ProtocolVersion.Http1 : (ProtocolVersion?)null;
        if (cmd.IpAddressType == IpAddressType.Dualstack) throw ElbErrors.Validation("A target group's IP address type must be ipv4 or ipv6");
        if (cmd.IpAddressType == IpAddressType.Ipv6 && cmd.TargetType != TargetType.Ip)
            throw ElbErrors.Validation("The IP address type ipv6 requires the target type ip");
        if (Strict && string.IsNullOrEmpty(cmd.VpcId)) throw ElbErrors.Validation("A VPC ID must be specified for target groups of type 'instance' or 'ip'");
        var healthCheck = HealthChecks.Create(cmd.HealthCheck, protocol, version, Strict);

        return ConfigureAsync(s =>
        {
            if (s.FindTargetGroupByName(name) is { } existing)
            {
                var r = existing.Record;
                if (r.Protocol == protocol && r.ProtocolVersion == version && r.Port == port && r.VpcId == cmd.VpcId
                    && r.TargetType == cmd.TargetType && r.IpAddressType == cmd.IpAddressType && r.HealthCheck == healthCheck)
                {
                    return new ConfigPlan<TargetGroupRecord>(null, r);
                }
                throw new RegistryException(ElbErrors.DuplicateTargetGroupName, $"A target group with the same name '{name}' exists, but with different settings");
            }
            CheckQuota(LoadBalancingOptions.Effective(_options.MaxTargetGroups, Strict, 3000), s.TargetGroups.Count,
                ElbErrors.TooManyTargetGroups, "You have reached the limit on the number of target groups for your account");

            var id = ElbArns.NewId();
            var record = new TargetGroupRecord
            {
                Id = id,
                Arn = Arns.TargetGroup(name, id),
                Name = name,
                Protocol = protocol,
                ProtocolVersion = version,
                Port = port,
                VpcId = string.IsNullOrEmpty(cmd.VpcId) ? null : cmd.VpcId,
                TargetType = cmd.TargetType,
                IpAddressType = cmd.IpAddressType,
                HealthCheck = healthCheck,
                CreatedTime = Now(),
                Attributes = TargetGroupAttributes.Defaults(protocol),
            };
            var ops = new List<TxnOp> { TxnOp.Put(TargetGroup(id), LoadBalancingJson.Serialize(record)) };
            if (cmd.Tags.Count > 0) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new ConfigPlan<TargetGroupRecord>(ops, record);
        }, ct);
    }

    /// <summary>ModifyTargetGroup: changes health-check settings; members not given stay as they are.</summary>
    public Task<TargetGroupRecord> ModifyTargetGroupAsync(string? arn, HealthCheckInput healthCheck, CancellationToken ct = default) =>
        ConfigureAsync(s =>
        {
            var tg = RequireTargetGroup(s, arn);
            var settings = HealthChecks.Modify(tg.Record.HealthCheck, healthCheck, tg.Record.Protocol, tg.Record.ProtocolVersion, Strict);
            var record = tg.Record with { HealthCheck = settings };
            return new ConfigPlan<TargetGroupRecord>([TxnOp.Put(TargetGroup(tg.Id), LoadBalancingJson.Serialize(record))], record);
        }, ct);

    /// <summary>Changes attributes; returns all of them afterwards.</summary>
    public Task<ImmutableSortedDictionary<string, string>> ModifyTargetGroupAttributesAsync(
        string? arn, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken ct = default) =>
        ConfigureAsync(s =>
        {
            var tg = RequireTargetGroup(s, arn);
            var attributes = TargetGroupAttributes.Apply(tg.Record.Protocol, tg.Record.Attributes, changes);
            var record = tg.Record with { Attributes = attributes };
            return new ConfigPlan<ImmutableSortedDictionary<string, string>>([TxnOp.Put(TargetGroup(tg.Id), LoadBalancingJson.Serialize(record))], attributes);
        }, ct);

    /// <summary>
    /// Deletes a target group and its targets. One that a listener or rule uses is ResourceInUse; one that does not
    /// exist is deleted already (success, as on AWS).
    /// </summary>
    public Task DeleteTargetGroupAsync(string? arn, CancellationToken ct = default)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.TargetGroup)) throw ElbErrors.Validation($"'{arn}' is not a valid target group ARN");
        return ConfigureAsync(s =>
        {
            if (s.FindTargetGroup(arn) is not { } tg) return new ConfigPlan<bool>(null, false);
            if (tg.InUse) throw new RegistryException(ElbErrors.ResourceInUse, $"Target group '{arn}' is currently in use by a listener or a rule");
            return new ConfigPlan<bool>(
            [
                TxnOp.Delete(TargetGroup(tg.Id)),
                TxnOp.DeletePrefix(TargetsOf(tg.Id)),
                TxnOp.DeletePrefix(HealthOf(tg.Id)),
                TxnOp.Delete(TargetsRevision(tg.Id)),
                TxnOp.Delete(Tags(tg.Arn)),
            ], true);
        }, ct);
    }
}
