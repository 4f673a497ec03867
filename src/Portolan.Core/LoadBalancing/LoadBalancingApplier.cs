using System.Collections.Immutable;
using System.Globalization;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Turns store changes under <c>/p/elb/</c> into the next <see cref="LoadBalancingSnapshot"/>. Pure, and a no-op
/// (same instance back) when no change is ours. Parents are applied before children (load balancers and target
/// groups, then listeners and targets, then rules, health and tags) because a batch arrives in key order; children
/// of an absent parent are ignored, and removing a parent removes what hangs under it.
/// </summary>
internal static class LoadBalancingApplier
{
    public static LoadBalancingSnapshot Apply(LoadBalancingSnapshot snapshot, IReadOnlyList<WatchEvent> events)
    {
        var revision = -1L;
        foreach (var e in events)
        {
            if (e.Kv.Key.StartsWith(Root, StringComparison.Ordinal)) revision = Math.Max(revision, e.Kv.ModRevision);
        }
        if (revision < 0) return snapshot;

        var work = new Work(snapshot);
        for (var phase = 0; phase < 3; phase++)
        {
            foreach (var e in events)
            {
                if (PhaseOf(e.Kv.Key) == phase) work.Apply(e);
            }
        }
        return work.Build(Math.Max(revision, snapshot.Revision));
    }

    private static int PhaseOf(string key)
    {
        if (!key.StartsWith(Root, StringComparison.Ordinal)) return -1;
        if (key.StartsWith(LoadBalancerPrefix, StringComparison.Ordinal) || key.StartsWith(TargetGroupPrefix, StringComparison.Ordinal) || key == Config) return 0;
        if (key.StartsWith(ListenerPrefix, StringComparison.Ordinal) || key.StartsWith(TargetPrefix, StringComparison.Ordinal)
            || key.StartsWith(TargetsRevisionPrefix, StringComparison.Ordinal)) return 1;
        return 2;
    }

    private sealed class Work(LoadBalancingSnapshot s)
    {
        private readonly ImmutableDictionary<string, LoadBalancerEntry>.Builder _lbs = s.LoadBalancers.ToBuilder();
        private readonly ImmutableDictionary<string, ListenerEntry>.Builder _listeners = s.Listeners.ToBuilder();
        private readonly ImmutableDictionary<string, RuleEntry>.Builder _rules = s.Rules.ToBuilder();
        private readonly ImmutableDictionary<string, TargetGroupEntry>.Builder _tgs = s.TargetGroups.ToBuilder();
        private readonly ImmutableDictionary<string, ImmutableSortedDictionary<string, string>>.Builder _tags = s.Tags.ToBuilder();
        private readonly ImmutableDictionary<string, string>.Builder _lbNames = s.LoadBalancerIdsByName.ToBuilder();
        private readonly ImmutableDictionary<string, string>.Builder _tgNames = s.TargetGroupIdsByName.ToBuilder();
        private readonly ImmutableDictionary<int, string>.Builder _ports = s.ListenerIdsByPort.ToBuilder();
        private readonly Dictionary<string, Dictionary<string, RuleEntry>> _touchedListeners = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TargetGroupWork> _touchedGroups = new(StringComparer.Ordinal);
        private long _configRevision = s.ConfigRevision;
        private bool _routingChanged;

        public void Apply(WatchEvent e)
        {
            var key = e.Kv.Key;
            var put = e.Type == WatchEventType.Put;
            if (key == Config)
            {
                if (put) _configRevision = e.Kv.ModRevision;
            }
            else if (key.StartsWith(LoadBalancerPrefix, StringComparison.Ordinal))
            {
                if (put) PutLoadBalancer(e.Kv); else DeleteLoadBalancer(key[LoadBalancerPrefix.Length..]);
            }
            else if (key.StartsWith(TargetGroupPrefix, StringComparison.Ordinal))
            {
                if (put) PutTargetGroup(e.Kv); else DeleteTargetGroup(key[TargetGroupPrefix.Length..]);
            }
            else if (key.StartsWith(ListenerPrefix, StringComparison.Ordinal))
            {
                var (lbId, id) = SplitChild(key, ListenerPrefix);
                if (put) PutListener(lbId, e.Kv); else DeleteListener(id);
            }
            else if (key.StartsWith(RulePrefix, StringComparison.Ordinal))
            {
                var (listenerId, id) = SplitChild(key, RulePrefix);
                if (put) PutRule(listenerId, e.Kv); else DeleteRule(listenerId, id);
            }
            else if (key.StartsWith(TargetPrefix, StringComparison.Ordinal))
            {
                var (tgId, target) = SplitTarget(key, TargetPrefix);
                if (TouchGroup(tgId) is not { } w) return;
                if (put)
                {
                    var record = LoadBalancingJson.Deserialize<TargetRecord>(e.Kv.Value);
                    w.Targets[target] = new TargetEntry(record, e.Kv.ModRevision, w.Targets.GetValueOrDefault(target)?.Health);
                }
                else
                {
                    w.Targets.Remove(target);
                }
            }
            else if (key.StartsWith(HealthPrefix, StringComparison.Ordinal))
            {
                var (tgId, target) = SplitTarget(key, HealthPrefix);
                if (TouchGroup(tgId) is not { } w || !w.Targets.TryGetValue(target, out var entry)) return;
                w.Targets[target] = entry with { Health = put ? LoadBalancingJson.Deserialize<TargetHealthRecord>(e.Kv.Value) : null };
            }
            else if (key.StartsWith(TargetsRevisionPrefix, StringComparison.Ordinal))
            {
                if (put && TouchGroup(key[TargetsRevisionPrefix.Length..]) is { } w) w.TargetsKeyRevision = e.Kv.ModRevision;
            }
            else if (key.StartsWith(TagsPrefix, StringComparison.Ordinal))
            {
                var arn = key[TagsPrefix.Length..];
                if (put) _tags[arn] = LoadBalancingJson.Deserialize<ImmutableSortedDictionary<string, string>>(e.Kv.Value);
                else _tags.Remove(arn);
            }
        }

        private void PutLoadBalancer(KeyValue kv)
        {
            var record = LoadBalancingJson.Deserialize<LoadBalancerRecord>(kv.Value);
            if (_lbs.TryGetValue(record.Id, out var old))
            {
                _lbNames.Remove(old.Record.Name.ToLowerInvariant());
                _lbs[record.Id] = old with { Record = record, ModRevision = kv.ModRevision };
            }
            else
            {
                _lbs[record.Id] = new LoadBalancerEntry { Record = record, CreateRevision = kv.CreateRevision, ModRevision = kv.ModRevision };
            }
            _lbNames[record.Name.ToLowerInvariant()] = record.Id;
            _routingChanged = true;
        }

        private void DeleteLoadBalancer(string id)
        {
            if (!_lbs.TryGetValue(id, out var old)) return;
            foreach (var listenerId in old.ListenerIds) DeleteListener(listenerId);
            _lbs.Remove(id);
            _lbNames.Remove(old.Record.Name.ToLowerInvariant());
            _routingChanged = true;
        }

        private void PutTargetGroup(KeyValue kv)
        {
            var record = LoadBalancingJson.Deserialize<TargetGroupRecord>(kv.Value);
            if (_tgs.TryGetValue(record.Id, out var old))
            {
                _tgNames.Remove(old.Record.Name);
                _tgs[record.Id] = old with { Record = record, ModRevision = kv.ModRevision };
                if (_touchedGroups.TryGetValue(record.Id, out var w)) w.Entry = _tgs[record.Id];
            }
            else
            {
                _tgs[record.Id] = new TargetGroupEntry { Record = record, CreateRevision = kv.CreateRevision, ModRevision = kv.ModRevision };
            }
            _tgNames[record.Name] = record.Id;
            _routingChanged = true;
        }

        private void DeleteTargetGroup(string id)
        {
            if (!_tgs.TryGetValue(id, out var old)) return;
            _tgs.Remove(id);
            _tgNames.Remove(old.Record.Name);
            _touchedGroups.Remove(id);
            _routingChanged = true;
        }

        private void PutListener(string lbId, KeyValue kv)
        {
            if (!_lbs.TryGetValue(lbId, out var lb)) return;
            var record = LoadBalancingJson.Deserialize<ListenerRecord>(kv.Value);
            if (_listeners.TryGetValue(record.Id, out var old))
            {
                if (_ports.GetValueOrDefault(old.Record.Port) == record.Id) _ports.Remove(old.Record.Port);
                _listeners[record.Id] = old with { Record = record, ModRevision = kv.ModRevision };
            }
            else
            {
                _listeners[record.Id] = new ListenerEntry
                {
                    Record = record, LoadBalancerId = lbId, CreateRevision = kv.CreateRevision, ModRevision = kv.ModRevision,
                };
                _lbs[lbId] = lb with { ListenerIds = lb.ListenerIds.Add(record.Id) };
            }
            _ports[record.Port] = record.Id;
            TouchListener(record.Id);
            _routingChanged = true;
        }

        private void DeleteListener(string id)
        {
            if (!_listeners.TryGetValue(id, out var old)) return;
            foreach (var rule in old.Rules) _rules.Remove(rule.Id);
            _listeners.Remove(id);
            _touchedListeners.Remove(id);
            if (_ports.GetValueOrDefault(old.Record.Port) == id) _ports.Remove(old.Record.Port);
            if (_lbs.TryGetValue(old.LoadBalancerId, out var lb)) _lbs[lb.Id] = lb with { ListenerIds = lb.ListenerIds.Remove(id) };
            _routingChanged = true;
        }

        private void PutRule(string listenerId, KeyValue kv)
        {
            if (TouchListener(listenerId) is not { } rules) return;
            var record = LoadBalancingJson.Deserialize<RuleRecord>(kv.Value);
            var entry = _rules.TryGetValue(record.Id, out var old)
                ? old with { Record = record, ModRevision = kv.ModRevision }
                : new RuleEntry(record, kv.CreateRevision, kv.ModRevision);
            _rules[record.Id] = entry;
            rules[record.Id] = entry;
            _routingChanged = true;
        }

        private void DeleteRule(string listenerId, string id)
        {
            _rules.Remove(id);
            TouchListener(listenerId)?.Remove(id);
            _routingChanged = true;
        }

        private Dictionary<string, RuleEntry>? TouchListener(string id)
        {
            if (_touchedListeners.TryGetValue(id, out var rules)) return rules;
            if (!_listeners.TryGetValue(id, out var listener)) return null;
            rules = listener.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
            _touchedListeners[id] = rules;
            return rules;
        }

        private TargetGroupWork? TouchGroup(string id)
        {
            if (_touchedGroups.TryGetValue(id, out var w)) return w;
            if (!_tgs.TryGetValue(id, out var entry)) return null;
            w = new TargetGroupWork(entry);
            _touchedGroups[id] = w;
            return w;
        }

        public LoadBalancingSnapshot Build(long revision)
        {
            foreach (var (id, rules) in _touchedListeners)
            {
                var listener = _listeners[id];
                var ordered = rules.Values.OrderBy(r => r.Record.Priority).ToImmutableArray();
                var newest = ordered.Length == 0 ? listener.ModRevision : Math.Max(listener.ModRevision, ordered.Max(r => r.ModRevision));
                _listeners[id] = listener with { Rules = ordered, RulesRevision = newest };
            }
            foreach (var (id, w) in _touchedGroups)
            {
                _tgs[id] = w.Entry with { Targets = w.Targets.ToImmutable(), TargetsKeyRevision = w.TargetsKeyRevision };
            }
            if (_routingChanged) UpdateAssociations();

            return new LoadBalancingSnapshot
            {
                Revision = revision,
                ConfigRevision = _configRevision,
                LoadBalancers = _lbs.ToImmutable(),
                Listeners = _listeners.ToImmutable(),
                Rules = _rules.ToImmutable(),
                TargetGroups = _tgs.ToImmutable(),
                Tags = _tags.ToImmutable(),
                LoadBalancerIdsByName = _lbNames.ToImmutable(),
                TargetGroupIdsByName = _tgNames.ToImmutable(),
                ListenerIdsByPort = _ports.ToImmutable(),
            };
        }

        /// <summary>Recomputes which load balancers use each target group, from every listener's actions.</summary>
        private void UpdateAssociations()
        {
            var users = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var listener in _listeners.Values)
            {
                foreach (var tgArn in listener.TargetGroupArns)
                {
                    var tgId = ElbArns.IdOf(tgArn);
                    if (!users.TryGetValue(tgId, out var set)) users[tgId] = set = new SortedSet<string>(StringComparer.Ordinal);
                    set.Add(listener.Record.LoadBalancerArn);
                }
            }
            foreach (var tg in _tgs.Values.ToList())
            {
                var now = users.TryGetValue(tg.Id, out var set) ? set : null;
                if (now is null ? tg.LoadBalancerArns.IsEmpty : tg.LoadBalancerArns.SetEquals(now)) continue;
                _tgs[tg.Id] = tg with { LoadBalancerArns = now is null ? ImmutableSortedSet.Create<string>(StringComparer.Ordinal) : now.ToImmutableSortedSet(StringComparer.Ordinal) };
            }
        }
    }

    private sealed class TargetGroupWork(TargetGroupEntry entry)
    {
        public TargetGroupEntry Entry { get; set; } = entry;
        public ImmutableSortedDictionary<TargetKey, TargetEntry>.Builder Targets { get; } = entry.Targets.ToBuilder();
        public long TargetsKeyRevision { get; set; } = entry.TargetsKeyRevision;
    }

    /// <summary>Splits <c>{prefix}{tgId}/{targetId}/{port}</c>.</summary>
    private static (string TargetGroupId, TargetKey Target) SplitTarget(string key, string prefix)
    {
        var (tgId, rest) = SplitChild(key, prefix);
        var slash = rest.LastIndexOf('/');
        var port = slash < 0 ? 0 : int.Parse(rest.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        return (tgId, new TargetKey(slash < 0 ? rest : rest[..slash], port));
    }
}
