using System.Collections.Immutable;
using System.Net;
using System.Security.Authentication;
using Portolan.Core.LoadBalancing;
using Portolan.Proxy.Configuration;
using Model = Portolan.Core.LoadBalancing;
using TargetHealth = Portolan.Proxy.Configuration.TargetHealth;

namespace Portolan.Proxy.FromRegistry;

/// <summary>
/// Turns the registry's load-balancing state into what the data plane serves: every listener of every load balancer
/// (bound on <see cref="ProxyOptions.ListenAddress"/>), and the application target groups they forward to with their
/// targets. Ids are ARNs. Entries the previous build saw unchanged (same snapshot entry instance) keep their config
/// instance, so the runtime can skip them.
/// </summary>
/// <remarks>
/// Target health follows ALB: <c>healthy</c> targets take traffic, and so do all targets of a group whose health
/// checks are off (<c>unavailable</c>). A target in <c>initial</c> (registered, no verdict yet) or <c>unhealthy</c>
/// gets none while the group has enough healthy targets
/// (<c>target_group_health.unhealthy_state_routing.minimum_healthy_targets.*</c>, default one); with fewer, the
/// group fails open to every registered target that is not draining, <c>initial</c> ones included. So a group the
/// health engine has not checked yet still serves (all its targets are <c>initial</c>: fail-open), and a target
/// added to a healthy group waits for its first passed check, as on AWS.
/// </remarks>
internal sealed class ProxyConfigBuilder(IPAddress listenAddress)
{
    private Dictionary<TargetGroupEntry, TargetGroupConfig> _groups = new(ReferenceEqualityComparer.Instance);
    private Dictionary<ListenerEntry, (LoadBalancerEntry LoadBalancer, ListenerConfig Config)> _listeners = new(ReferenceEqualityComparer.Instance);

    public ProxyConfig Build(LoadBalancingSnapshot s)
    {
        var listeners = new Dictionary<ListenerEntry, (LoadBalancerEntry, ListenerConfig)>(ReferenceEqualityComparer.Instance);
        var groupArns = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var listener in s.Listeners.Values.OrderBy(l => l.Record.Port))
        {
            if (!s.LoadBalancers.TryGetValue(listener.LoadBalancerId, out var lb)) continue;
            var config = _listeners.TryGetValue(listener, out var seen) && ReferenceEquals(seen.LoadBalancer, lb)
                ? seen.Config
                : Listener(listener, lb);
            listeners[listener] = (lb, config);
            groupArns.UnionWith(listener.TargetGroupArns);
        }

        var groups = new Dictionary<TargetGroupEntry, TargetGroupConfig>(ReferenceEqualityComparer.Instance);
        foreach (var arn in groupArns)
        {
            if (s.FindTargetGroup(arn) is not { Record.IsApplication: true } tg) continue; // deleted under a rule: its share is a 503
            groups[tg] = _groups.TryGetValue(tg, out var seen) ? seen : TargetGroup(tg);
        }

        _listeners = listeners;
        _groups = groups;
        return new ProxyConfig
        {
            Version = s.Revision,
            Listeners = [.. listeners.Values.Select(l => l.Item2)],
            TargetGroups = [.. groups.Values],
        };
    }

    private ListenerConfig Listener(ListenerEntry entry, LoadBalancerEntry lb)
    {
        var r = entry.Record;
        var https = r.Protocol == ElbProtocol.Https;
        return new ListenerConfig
        {
            Id = r.Arn,
            LoadBalancerId = LogName(lb.Arn),
            Address = listenAddress,
            Port = r.Port,
            Protocol = https ? ListenerProtocol.Https : ListenerProtocol.Http,
            Certificate = https && r.DefaultCertificate is { } c ? Certificate(c.CertificateArn) : null,
            SniCertificates = https ? [.. r.Certificates.Where(c => !c.IsDefault).Select(c => Certificate(c.CertificateArn)).OfType<CertificateSource>()] : [],
            TlsProtocols = https ? SslPolicies.Protocols(r.SslPolicy) : SslProtocols.None,
            Alpn = !LoadBalancerAttributes.Http2EnabledOf(lb.Record) ? AlpnPolicy.Http1Only : Alpn(r.AlpnPolicy),
            IdleTimeout = LoadBalancerAttributes.IdleTimeoutOf(lb.Record),
            Rules = [.. entry.Rules.Select(Rule).OfType<RuleConfig>()],
            DefaultAction = Action(r.DefaultActions) ?? new FixedResponseAction(503),
        };
    }

    /// <summary>The <c>elb</c> field of ALB's access logs: <c>app/name/id</c>.</summary>
    private static string LogName(string loadBalancerArn)
    {
        var at = loadBalancerArn.IndexOf(":loadbalancer/", StringComparison.Ordinal);
        return at < 0 ? loadBalancerArn : loadBalancerArn[(at + ":loadbalancer/".Length)..];
    }

    /// <summary>
    /// A certificate ARN names a file (<see cref="ListenerCertificates"/>): PKCS#12, or PEM with its key inside or in
    /// a <c>.key</c> file beside it.
    /// </summary>
    private static CertificateSource? Certificate(string certificateArn)
    {
        if (ListenerCertificates.PathOf(certificateArn) is not { } path) return null;
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12") return new CertificateSource(path);
        var keyPath = Path.ChangeExtension(path, ".key");
        return File.Exists(keyPath) && !HasPrivateKey(path) ? new CertificateSource(path, keyPath) : new CertificateSource(path);
    }

    private static bool HasPrivateKey(string pemPath)
    {
        try
        {
            return File.ReadAllText(pemPath).Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the listener's start reports the file's problem
        }
    }

    private static AlpnPolicy Alpn(ImmutableArray<string> policy) => policy.IsDefaultOrEmpty ? AlpnPolicy.Http2Preferred : policy[0] switch
    {
        "HTTP1Only" => AlpnPolicy.Http1Only,
        "HTTP2Only" => AlpnPolicy.Http2Only,
        "HTTP2Optional" => AlpnPolicy.Http2Optional,
        "None" => AlpnPolicy.None,
        _ => AlpnPolicy.Http2Preferred,
    };

    private static RuleConfig? Rule(RuleEntry entry) => Action(entry.Record.Actions) is { } action
        ? new RuleConfig
        {
            Id = entry.Arn,
            Priority = entry.Record.Priority,
            Conditions = [.. entry.Record.Conditions.Select(Condition)],
            Action = action,
        }
        : null;

    private static Configuration.RuleCondition Condition(Model.RuleCondition c) => c.Field switch
    {
        ConditionField.PathPattern => new PathPatternCondition(c.Values),
        ConditionField.HostHeader => new HostHeaderCondition(c.Values),
        ConditionField.HttpHeader => new HttpHeaderCondition(c.HttpHeaderName ?? "", c.Values),
        ConditionField.QueryString => new QueryStringCondition([.. c.QueryStrings.Select(q => new Configuration.QueryStringPair(q.Key, q.Value))]),
        ConditionField.HttpRequestMethod => new HttpRequestMethodCondition(c.Values),
        ConditionField.SourceIp => new SourceIpCondition([.. c.Values.Select(v => IPNetwork.TryParse(v, out var n) ? n : (IPNetwork?)null).OfType<IPNetwork>()]),
        _ => throw new NotSupportedException($"Unknown condition field {c.Field}."),
    };

    /// <summary>The terminal action (a rule has one; the lowest <c>Order</c> if ever several).</summary>
    private static Configuration.RuleAction? Action(ImmutableArray<Model.RuleAction> actions)
    {
        foreach (var a in actions.OrderBy(a => a.Order ?? int.MaxValue))
        {
            switch (a.Type)
            {
                case ActionType.Forward when a.Forward is { } f:
                    return new ForwardAction(
                        [.. f.TargetGroups.Select(g => new Configuration.WeightedTargetGroup(g.TargetGroupArn, g.Weight))],
                        f.Stickiness.Enabled ? TimeSpan.FromSeconds(f.Stickiness.DurationSeconds ?? 3600) : null);
                case ActionType.FixedResponse when a.FixedResponse is { } r:
                    return new FixedResponseAction(r.StatusCode, r.ContentType, r.MessageBody);
                case ActionType.Redirect when a.Redirect is { } r:
                    return new RedirectAction
                    {
                        Protocol = r.Protocol, Host = r.Host, Port = r.Port, Path = r.Path, Query = r.Query, StatusCode = r.StatusCode,
                    };
            }
        }
        return null;
    }

    private static TargetGroupConfig TargetGroup(TargetGroupEntry tg)
    {
        var settings = tg.Settings;
        return new TargetGroupConfig
        {
            Id = tg.Arn,
            Protocol = tg.Record.Protocol == ElbProtocol.Https ? TargetProtocol.Https : TargetProtocol.Http,
            ProtocolVersion = tg.Record.ProtocolVersion switch
            {
                Model.ProtocolVersion.Http2 => TargetProtocolVersion.Http2,
                Model.ProtocolVersion.Grpc => TargetProtocolVersion.Grpc,
                _ => TargetProtocolVersion.Http1,
            },
            Algorithm = settings.Algorithm switch
            {
                LoadBalancingAlgorithm.LeastOutstandingRequests => BalancingAlgorithm.LeastOutstandingRequests,
                LoadBalancingAlgorithm.WeightedRandom => BalancingAlgorithm.WeightedRandom,
                _ => BalancingAlgorithm.RoundRobin,
            },
            StickinessDuration = !settings.StickinessEnabled ? null
                : settings.StickinessType == StickinessType.AppCookie ? settings.AppCookieDuration : settings.LbCookieDuration,
            AppCookieName = settings is { StickinessEnabled: true, StickinessType: StickinessType.AppCookie } ? settings.AppCookieName : null,
            SlowStart = settings.SlowStart,
            DeregistrationDelay = settings.DeregistrationDelay,
            MinimumHealthyTargets = settings.UnhealthyRoutingMinimumCount,
            MinimumHealthyPercentage = settings.UnhealthyRoutingMinimumPercentage,
            Targets = Targets(tg),
        };
    }

    /// <summary>
    /// The group's targets by where they listen. Instance targets all live on this host, so two instance ids on one
    /// port are one endpoint: it counts once, as its most routable registration.
    /// </summary>
    private static ImmutableArray<TargetConfig> Targets(TargetGroupEntry tg)
    {
        var byEndPoint = new Dictionary<IPEndPoint, TargetConfig>();
        foreach (var target in tg.Targets.Values)
        {
            var config = Target(tg, target);
            if (!byEndPoint.TryGetValue(target.EndPoint, out var other) || Rank(config) > Rank(other)) byEndPoint[target.EndPoint] = config;
        }
        return [.. byEndPoint.Values];

        static int Rank(TargetConfig t) => t.Draining ? 0 : t.Health switch
        {
            TargetHealth.Healthy or TargetHealth.Unavailable => 3,
            TargetHealth.Initial => 2,
            _ => 1,
        };
    }

    private static TargetConfig Target(TargetGroupEntry tg, TargetEntry target)
    {
        var health = tg.HealthOf(target);
        return new TargetConfig
        {
            Host = target.EndPoint.Address.ToString(),
            Port = target.EndPoint.Port,
            Health = health.State switch
            {
                TargetHealthState.Healthy => TargetHealth.Healthy,
                TargetHealthState.Unavailable => TargetHealth.Unavailable,
                TargetHealthState.Unhealthy => TargetHealth.Unhealthy,
                _ => TargetHealth.Initial, // initial; draining and unused are told by Draining / the group not being served
            },
            Draining = target.Record.IsDraining,
            DrainDeadline = target.Record.DrainingDeadline,
            HealthySince = health.State == TargetHealthState.Healthy ? target.Health?.Since : null,
        };
    }
}
