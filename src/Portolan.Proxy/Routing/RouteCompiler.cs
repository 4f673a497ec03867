using Portolan.Proxy.Balancing;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Routing;

/// <summary>Turns a listener's rules into a <see cref="RouteTable"/> bound to the running target groups.</summary>
internal static class RouteCompiler
{
    public static RouteTable Compile(ListenerConfig listener, Func<string, TargetGroupState?> groups, Random random)
    {
        var rules = listener.Rules
            .OrderBy(r => r.Priority)
            .Select(r => new CompiledRule(r.Priority, [.. r.Conditions.Select(ConditionCompiler.Compile)], CompileAction(r.Action, listener, groups, random)))
            .ToArray();
        return new RouteTable(rules, CompileAction(listener.DefaultAction, listener, groups, random));
    }

    private static RouteAction CompileAction(RuleAction action, ListenerConfig listener, Func<string, TargetGroupState?> groups, Random random) => action switch
    {
        // A group missing from the config (deleted under the rule) gets nothing: its share is a 503, as for an empty group.
        ForwardAction f => new ForwardRoute(
            f.TargetGroups.Select(g => (groups(g.TargetGroupId), g.Weight)).Where(g => g.Item1 is not null).Select(g => (g.Item1!, g.Weight)),
            f.StickinessDuration,
            listener.IdleTimeout,
            random),
        FixedResponseAction r => new FixedResponseRoute(r),
        RedirectAction r => new RedirectRoute(r),
        _ => throw new NotSupportedException($"Unknown action {action.GetType().Name}."),
    };
}
