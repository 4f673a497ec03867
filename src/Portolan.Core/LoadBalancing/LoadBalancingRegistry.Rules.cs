using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

public sealed partial class LoadBalancingRegistry
{
    public const int MinPriority = 1;
    public const int MaxPriority = 50000;

    /// <summary>Adds a rule to a listener; its priority must be free on that listener (else PriorityInUse).</summary>
    public Task<RuleRecord> CreateRuleAsync(CreateRuleCommand cmd, CancellationToken ct = default)
    {
        CheckPriority(cmd.Priority);
        Conditions.Validate(cmd.Conditions);
        Validation.Tags.Validate(cmd.Tags);
        return ConfigureAsync(s =>
        {
            var listener = RequireListener(s, cmd.ListenerArn);
            if (listener.Rules.Any(r => r.Record.Priority == cmd.Priority)) throw PriorityInUse(cmd.Priority);
            var lb = s.LoadBalancers[listener.LoadBalancerId];
            CheckQuota(LoadBalancingOptions.Effective(_options.MaxRulesPerLoadBalancer, Strict, 100), s.ListenersOf(lb).Sum(l => l.Rules.Length),
                ElbErrors.TooManyRules, $"You've reached the limit on the number of rules per load balancer for '{lb.Arn}'");
            Actions.Validate(cmd.Actions, s, lb.Arn, listener.Record.Protocol, Strict);

            var id = ElbArns.NewId();
            var record = new RuleRecord
            {
                Id = id, Arn = ElbArns.Rule(listener.Arn, id), ListenerArn = listener.Arn, Priority = cmd.Priority,
                Conditions = cmd.Conditions, Actions = cmd.Actions, CreatedTime = Now(),
            };
            var ops = new List<TxnOp> { TxnOp.Put(Rule(listener.Id, id), LoadBalancingJson.Serialize(record)) };
            if (cmd.Tags.Count > 0) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new ConfigPlan<RuleRecord>(ops, record);
        }, ct);
    }

    /// <summary>
    /// ModifyRule. Members not given stay as they are. A listener's default rule takes new actions (they become the
    /// listener's default actions) but no conditions.
    /// </summary>
    public Task ModifyRuleAsync(ModifyRuleCommand cmd, CancellationToken ct = default)
    {
        if (cmd.Conditions is { } conditions && !conditions.IsEmpty) Conditions.Validate(conditions);
        return ConfigureAsync(s =>
        {
            if (s.FindListenerByDefaultRule(cmd.RuleArn) is { } owner)
            {
                if (cmd.Conditions is { IsEmpty: false }) throw new RegistryException(ElbErrors.OperationNotPermitted, "The conditions of a default rule cannot be modified");
                if (cmd.Actions is not { } defaults) return new ConfigPlan<bool>(null, false);
                Actions.Validate(defaults, s, owner.Record.LoadBalancerArn, owner.Record.Protocol, Strict);
                var listener = owner.Record with { DefaultActions = defaults };
                return new ConfigPlan<bool>([TxnOp.Put(Listener(owner.LoadBalancerId, owner.Id), LoadBalancingJson.Serialize(listener))], true);
            }
            var rule = RequireRule(s, cmd.RuleArn);
            var parent = s.FindListener(rule.Record.ListenerArn)!;
            if (cmd.Conditions is { IsEmpty: true }) Conditions.Validate([]);
            if (cmd.Actions is { } actions) Actions.Validate(actions, s, parent.Record.LoadBalancerArn, parent.Record.Protocol, Strict);
            var record = rule.Record with { Conditions = cmd.Conditions ?? rule.Record.Conditions, Actions = cmd.Actions ?? rule.Record.Actions };
            return new ConfigPlan<bool>([TxnOp.Put(Rule(parent.Id, rule.Id), LoadBalancingJson.Serialize(record))], true);
        }, ct);
    }

    /// <summary>Deletes a rule; a listener's default rule can't be deleted (OperationNotPermitted).</summary>
    public Task DeleteRuleAsync(string? arn, CancellationToken ct = default) =>
        ConfigureAsync(s =>
        {
            if (s.FindListenerByDefaultRule(arn) is not null)
                throw new RegistryException(ElbErrors.OperationNotPermitted, $"Default rule '{arn}' cannot be deleted");
            var rule = RequireRule(s, arn);
            var listener = s.FindListener(rule.Record.ListenerArn)!;
            return new ConfigPlan<bool>([TxnOp.Delete(Rule(listener.Id, rule.Id)), TxnOp.Delete(Tags(rule.Arn))], true);
        }, ct);

    /// <summary>
    /// Sets several rules' priorities at once; the result must have distinct priorities per listener (swaps are fine).
    /// Returns the changed rules.
    /// </summary>
    public Task<IReadOnlyList<RuleRecord>> SetRulePrioritiesAsync(IReadOnlyList<KeyValuePair<string, int>> priorities, CancellationToken ct = default)
    {
        if (priorities.Count == 0) throw ElbErrors.Validation("At least one rule priority must be specified");
        foreach (var (_, priority) in priorities) CheckPriority(priority);
        if (priorities.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count() != priorities.Count)
            throw ElbErrors.Validation("A rule can appear only once in a priority change");
        return ConfigureAsync(s =>
        {
            var changed = new List<RuleRecord>();
            foreach (var (arn, priority) in priorities)
            {
                if (s.FindListenerByDefaultRule(arn) is not null)
                    throw new RegistryException(ElbErrors.OperationNotPermitted, $"The priority of default rule '{arn}' cannot be changed");
                changed.Add(RequireRule(s, arn).Record with { Priority = priority });
            }
            foreach (var group in changed.GroupBy(r => r.ListenerArn, StringComparer.Ordinal))
            {
                var listener = s.FindListener(group.Key)!;
                var moved = group.ToDictionary(r => r.Id, StringComparer.Ordinal);
                var final = listener.Rules.Select(r => moved.TryGetValue(r.Id, out var m) ? m.Priority : r.Record.Priority);
                var clash = final.GroupBy(p => p).FirstOrDefault(g => g.Count() > 1);
                if (clash is not null) throw PriorityInUse(clash.Key);
            }
            var ops = changed.Select(r => TxnOp.Put(Rule(ElbArns.IdOf(r.ListenerArn), r.Id), LoadBalancingJson.Serialize(r))).ToList();
            return new ConfigPlan<IReadOnlyList<RuleRecord>>(ops, changed);
        }, ct);
    }

    private static RuleEntry RequireRule(LoadBalancingSnapshot s, string? arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.Rule)) throw ElbErrors.Validation($"'{arn}' is not a valid rule ARN");
        return s.FindRule(arn) ?? throw ElbErrors.RuleMissing();
    }

    private static void CheckPriority(int priority)
    {
        if (priority is < MinPriority or > MaxPriority) throw ElbErrors.Validation($"Priority '{priority}' must be between {MinPriority} and {MaxPriority}");
    }

    private static RegistryException PriorityInUse(int priority) => new(ElbErrors.PriorityInUse, $"Priority '{priority}' is currently in use");
}
