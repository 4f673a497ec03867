using Portolan.Proxy.Configuration;
using Portolan.Proxy.Observability;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Balancing;

/// <summary>
/// A target group as the data plane runs it: its targets (kept across config changes, so pools and in-flight
/// counts survive), the current <see cref="TargetGroupView"/> and the picking policy. Only the config loop calls
/// <see cref="Apply"/>; requests call <see cref="Pick"/> from any thread.
/// </summary>
internal sealed class TargetGroupState : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private Dictionary<string, TargetState> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<TargetState, ITimer> _drainTimers = [];
    private TargetGroupView _view = TargetGroupView.Empty;
    private IBalancingAlgorithm _algorithm = RoundRobinAlgorithm.Instance;
    private int _cursor;

    public TargetGroupState(string id, TimeProvider time, Random random)
    {
        Id = id;
        _time = time;
        _random = random;
        GroupCookieValue = StickyCookies.ValueFor(id);
        Counters = new TrafficCounters(id);
    }

    public string Id { get; }

    public TargetGroupConfig Config { get; private set; } = null!;

    public TargetGroupView View => Volatile.Read(ref _view);

    /// <summary>Identifies this group in the <c>AWSALBTG</c> cookie of weighted forwards.</summary>
    public string GroupCookieValue { get; }

    public TrafficCounters Counters { get; }

    /// <summary>The <c>Set-Cookie</c> line for a pick of each target, when stickiness is on.</summary>
    public bool Sticky => Config.StickinessDuration is not null;

    /// <summary>The cookie that names the target: <c>AWSALB</c>, or <c>AWSALBAPP-0</c> with application-based stickiness.</summary>
    private string StickinessCookie => Config.AppCookieName is null ? StickyCookies.TargetCookie : StickyCookies.AppCookie;

    public void Apply(TargetGroupConfig config)
    {
        Config = config;
        _algorithm = config.Algorithm switch
        {
            BalancingAlgorithm.LeastOutstandingRequests => LeastOutstandingRequestsAlgorithm.Instance,
            BalancingAlgorithm.WeightedRandom => WeightedRandomAlgorithm.Instance,
            _ => RoundRobinAlgorithm.Instance,
        };

        var now = _time.GetUtcNow();
        var next = new Dictionary<string, TargetState>(config.Targets.Length, StringComparer.Ordinal);
        foreach (var target in config.Targets)
        {
            var healthySince = (target.HealthySince ?? now).UtcTicks;
            if (_targets.TryGetValue(target.Key, out var state) && !state.IsRetired)
            {
                state.Update(target, healthySince);
            }
            else if (target.Draining)
            {
                continue; // nothing of ours to drain
            }
            else
            {
                state = new TargetState(config, target, StickyCookies.ValueFor(Id, target.Key), healthySince);
            }

            state.SetCookieLine = config.StickinessDuration is { } d ? StickyCookies.SetCookieLine(StickinessCookie, state.CookieValue, d) : null;
            next[target.Key] = state;
            if (state.Draining) StartDraining(state, now);
        }

        foreach (var (key, state) in _targets)
        {
            if (!next.ContainsKey(key)) Retire(state); // deregistration delay over, or the group is gone
        }

        _targets = next;
        Volatile.Write(ref _view, BuildView(config, next.Values));
    }

    /// <summary>
    /// The target for a new request, counted in (<see cref="TargetState.TryEnter"/>); null when the group has no
    /// candidate (503). Honours the stickiness cookie and slow start.
    /// </summary>
    public TargetState? Pick(IProxyRequest request, out bool stuck)
    {
        stuck = false;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var view = View;
            var candidates = view.Candidates;
            if (candidates.Length == 0) return null;

            TargetState? target = null;
            if (Config.StickinessDuration is not null)
            {
                var cookie = StickyCookies.Find(request, StickinessCookie);
                if (!cookie.IsEmpty) target = view.FindByCookie(cookie);
                stuck = target is not null;
            }

            target ??= SlowStart(_algorithm.Pick(candidates, ref _cursor, _random), candidates);
            if (target.TryEnter()) return target;
        }
        return null; // retired under our feet four times: the config is changing; the client may retry
    }

    public void Dispose()
    {
        foreach (var state in _targets.Values) Retire(state);
        _targets.Clear();
        Volatile.Write(ref _view, TargetGroupView.Empty);
    }

    /// <summary>
    /// Slow start: a target that became healthy less than the window ago takes a request with probability
    /// elapsed/window (a linear ramp); otherwise the request goes to the next target that is not ramping.
    /// </summary>
    private TargetState SlowStart(TargetState picked, TargetState[] candidates)
    {
        var window = Config.SlowStart;
        if (window <= TimeSpan.Zero || !IsRamping(picked, window, out var share) || _random.NextDouble() < share) return picked;

        var start = Array.IndexOf(candidates, picked);
        for (var i = 1; i < candidates.Length; i++)
        {
            var other = candidates[(start + i) % candidates.Length];
            if (!IsRamping(other, window, out _)) return other;
        }
        return picked; // everyone is ramping: nobody to protect
    }

    private bool IsRamping(TargetState target, TimeSpan window, out double share)
    {
        var elapsed = TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - target.SlowStartFromTicks);
        share = elapsed / window;
        return target.SlowStartFromTicks != 0 && share < 1;
    }

    private void StartDraining(TargetState state, DateTimeOffset now)
    {
        if (state.Outstanding == 0)
        {
            state.Retire(cutInFlight: false); // ends early when idle
            return;
        }

        if (state.DrainDeadline is not { } deadline || _drainTimers.ContainsKey(state)) return;
        var due = deadline - now;
        if (due <= TimeSpan.Zero)
        {
            state.Retire(cutInFlight: true);
            return;
        }
        _drainTimers[state] = _time.CreateTimer(static s => ((TargetState)s!).Retire(cutInFlight: true), state, due, Timeout.InfiniteTimeSpan);
    }

    private void Retire(TargetState state)
    {
        state.Retire(cutInFlight: true);
        if (_drainTimers.Remove(state, out var timer)) timer.Dispose();
    }

    /// <summary>
    /// The healthy targets, unless fewer are healthy than the group's minimum (by count or by percentage of the
    /// registered ones, whichever asks more; never less than one): then every registered target that is not draining
    /// (ALB fails open).
    /// </summary>
    private static TargetGroupView BuildView(TargetGroupConfig config, IEnumerable<TargetState> targets)
    {
        var healthy = targets.Where(t => !t.IsRetired && t.IsHealthy).ToArray();
        var all = targets.Where(t => !t.IsRetired && !t.Draining).ToArray();
        var minimum = Math.Max(1, config.MinimumHealthyTargets);
        if (config.MinimumHealthyPercentage is { } percentage) minimum = Math.Max(minimum, (all.Length * percentage + 99) / 100);
        if (healthy.Length >= minimum) return new TargetGroupView(healthy, failingOpen: false);
        return new TargetGroupView(all, failingOpen: all.Length > healthy.Length);
    }
}
