using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

internal sealed partial class ElbService
{
    private const int DefaultRulePriorityKey = LoadBalancingRegistry.MaxPriority + 1;

    private async ValueTask CreateRule(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var listenerArn = i.Required("ListenerArn");
        if (!i.Has("Conditions")) throw i.Missing("Conditions");
        var rule = await _registry.CreateRuleAsync(new CreateRuleCommand
        {
            ListenerArn = listenerArn,
            Priority = i.Int("Priority") ?? throw i.Missing("Priority"),
            Conditions = Requests.Conditions(i, "Conditions"),
            Actions = Requests.Actions(i, "Actions"),
            Tags = i.Tags("Tags"),
        }, ct);
        x.List("Rules", [rule], ElbWriter.Rule);
    }

    /// <summary>A listener's rules by priority, its default rule last; or the rules asked for.</summary>
    private ValueTask DescribeRules(QueryInput i, QueryXml x)
    {
        var s = Current;
        var listenerArn = i.Str("ListenerArn");
        var arns = i.List("RuleArns");
        if ((listenerArn is null) == (arns.Count == 0)) throw Errors.Validation("You must specify either listener ARN or rule ARNs");
        var rows = new List<(int Priority, string Arn, ListenerRecord? Default, RuleRecord? Rule)>();
        if (listenerArn is not null)
        {
            var listener = RequireListener(s, listenerArn);
            rows.AddRange(listener.Rules.Select(r => (r.Record.Priority, r.Arn, (ListenerRecord?)null, (RuleRecord?)r.Record)));
            rows.Add((DefaultRulePriorityKey, listener.Record.DefaultRuleArn, listener.Record, null));
        }
        foreach (var arn in arns.Distinct(StringComparer.Ordinal))
        {
            if (s.FindListenerByDefaultRule(arn) is { } owner)
            {
                rows.Add((DefaultRulePriorityKey, arn, owner.Record, null));
                continue;
            }
            if (!ElbArns.IsWellFormed(arn, ElbResourceKind.Rule)) throw Errors.Validation($"'{arn}' is not a valid rule ARN");
            var rule = s.FindRule(arn) ?? throw new AwsServiceException(ElbErrors.RuleNotFound, "One or more rules not found");
            rows.Add((rule.Record.Priority, arn, null, rule.Record));
        }

        var (page, next) = Paging.Page(rows, r => Paging.NumberKey(r.Priority) + r.Arn, i);
        x.List("Rules", page, static (x, r) =>
        {
            if (r.Rule is not null) ElbWriter.Rule(x, r.Rule); else ElbWriter.DefaultRule(x, r.Default!);
        });
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    private async ValueTask ModifyRule(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var arn = i.Required("RuleArn");
        await _registry.ModifyRuleAsync(new ModifyRuleCommand
        {
            RuleArn = arn,
            Conditions = i.Has("Conditions") ? Requests.Conditions(i, "Conditions") : null,
            Actions = i.Has("Actions") ? Requests.Actions(i, "Actions") : null,
        }, ct);
        WriteRule(x, arn);
    }

    private async ValueTask DeleteRule(QueryInput i, CancellationToken ct) =>
        await _registry.DeleteRuleAsync(i.Required("RuleArn"), ct);

    private async ValueTask SetRulePriorities(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var pairs = i.Structs("RulePriorities", p =>
            KeyValuePair.Create(i.Str(p + ".RuleArn") ?? throw i.Missing(p + ".RuleArn"), i.Int(p + ".Priority") ?? throw i.Missing(p + ".Priority")));
        var changed = await _registry.SetRulePrioritiesAsync(pairs, ct);
        x.List("Rules", changed, ElbWriter.Rule);
    }

    /// <summary>One rule (the default one included) as it is now, in a <c>Rules</c> list.</summary>
    private void WriteRule(QueryXml x, string arn)
    {
        var s = Current;
        if (s.FindListenerByDefaultRule(arn) is { } owner) x.List("Rules", [owner.Record], ElbWriter.DefaultRule);
        else x.List("Rules", [s.FindRule(arn)!.Record], ElbWriter.Rule);
    }
}
