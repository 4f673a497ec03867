namespace Portolan.Proxy.Balancing;

/// <summary>
/// The targets a group may pick from right now, rebuilt whenever its config changes and swapped in with one
/// reference write: the healthy ones, or when there are none every registered target that is not draining
/// (ALB fails open). Draining and retired targets are never in it.
/// </summary>
internal sealed class TargetGroupView
{
    public static readonly TargetGroupView Empty = new([], failingOpen: false);

    private readonly Dictionary<string, TargetState>.AlternateLookup<ReadOnlySpan<char>> _byCookie;

    public TargetGroupView(TargetState[] candidates, bool failingOpen)
    {
        Candidates = candidates;
        FailingOpen = failingOpen;
        var byCookie = new Dictionary<string, TargetState>(candidates.Length, StringComparer.Ordinal);
        foreach (var target in candidates) byCookie[target.CookieValue] = target;
        _byCookie = byCookie.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public TargetState[] Candidates { get; }

    public bool FailingOpen { get; }

    /// <summary>The candidate a stickiness cookie names, if it is still a candidate.</summary>
    public TargetState? FindByCookie(ReadOnlySpan<char> value) =>
        _byCookie.TryGetValue(value, out var target) ? target : null;
}
