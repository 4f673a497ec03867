namespace Portolan.Proxy.Routing;

/// <summary>
/// A listener's rules, compiled and sorted by priority, with the default action last. Immutable; the listener
/// swaps in a new one when its rules change. <see cref="Match"/> walks the rules in order, checking each
/// condition against the request as it is (no copies, no allocation).
/// </summary>
internal sealed class RouteTable(CompiledRule[] rules, RouteAction defaultAction)
{
    public RouteAction DefaultAction { get; } = defaultAction;

    /// <summary>The action of the first rule whose conditions all hold, and that rule's priority (0 = the default rule).</summary>
    public RouteAction Match(IProxyRequest request, out int priority)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(request))
            {
                priority = rule.Priority;
                return rule.Action;
            }
        }
        priority = 0;
        return DefaultAction;
    }
}

internal sealed class CompiledRule(int priority, IRequestCondition[] conditions, RouteAction action)
{
    public int Priority { get; } = priority;
    public RouteAction Action { get; } = action;

    public bool Matches(IProxyRequest request)
    {
        foreach (var condition in conditions)
        {
            if (!condition.Matches(request)) return false;
        }
        return true;
    }
}
