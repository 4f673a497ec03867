using System.Collections.Immutable;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

public sealed partial class LoadBalancingRegistry
{
    /// <summary>ALPN policies ELB names; Portolan's HTTPS listeners honour them when set (h2/http1.1 otherwise).</summary>
    public static readonly ImmutableArray<string> AlpnPolicies = ["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"];

    /// <summary>
    /// Creates a listener, or returns the existing one on that load balancer and port when its settings are the same
    /// (idempotent, as on AWS). Listeners bind real ports on this host, so a port serves one load balancer: a port that
    /// any load balancer's listener already has is DuplicateListener.
    /// </summary>
    public Task<ListenerRecord> CreateListenerAsync(CreateListenerCommand cmd, CancellationToken ct = default)
    {
        var protocol = ListenerProtocol(cmd.Protocol);
        var port = cmd.Port ?? throw ElbErrors.Validation("A listener port must be specified");
        if (port is < 1 or > 65535) throw ElbErrors.Validation($"Listener port '{port}' must be between 1 and 65535");
        Validation.Tags.Validate(cmd.Tags);
        var (certificates, sslPolicy, alpn) = Tls(protocol, cmd.CertificateArns, cmd.SslPolicy, cmd.AlpnPolicy, null, creating: true);

        return ConfigureAsync(s =>
        {
            var lb = RequireLoadBalancer(s, cmd.LoadBalancerArn);
            if (s.ListenerOnPort(port) is { } taken)
            {
                var r = taken.Record;
                if (r.LoadBalancerArn == lb.Arn && r.Protocol == protocol && r.SslPolicy == sslPolicy
                    && r.Certificates.SequenceEqual(certificates) && r.AlpnPolicy.SequenceEqual(alpn) && r.DefaultActions.SequenceEqual(cmd.DefaultActions))
                {
                    return new ConfigPlan<ListenerRecord>(null, r);
                }
                throw PortTaken(port, taken, lb);
            }
            CheckQuota(LoadBalancingOptions.Effective(_options.MaxListenersPerLoadBalancer, Strict, 50), lb.ListenerIds.Count,
                ElbErrors.TooManyListeners, $"You've reached the limit on the number of listeners per load balancer for '{lb.Arn}'");
            Actions.Validate(cmd.DefaultActions, s, lb.Arn, protocol, Strict);

            var id = ElbArns.NewId();
            var arn = ElbArns.Listener(lb.Arn, id);
            var ruleId = ElbArns.NewId();
            var record = new ListenerRecord
            {
                Id = id, Arn = arn, LoadBalancerArn = lb.Arn, Port = port, Protocol = protocol,
                SslPolicy = sslPolicy, Certificates = certificates, AlpnPolicy = alpn,
                DefaultActions = cmd.DefaultActions, DefaultRuleId = ruleId, DefaultRuleArn = ElbArns.Rule(arn, ruleId),
                CreatedTime = Now(),
            };
            var ops = new List<TxnOp> { TxnOp.Put(Listener(lb.Id, id), LoadBalancingJson.Serialize(record)) };
            if (cmd.Tags.Count > 0) ops.Add(TagsWrite(arn, cmd.Tags));
            return new ConfigPlan<ListenerRecord>(ops, record);
        }, ct);
    }

    /// <summary>
    /// ModifyListener. Switching to HTTP drops the certificates, TLS policy and ALPN policy; switching to HTTPS needs a
    /// certificate; given certificates replace the default one (SNI certificates stay).
    /// </summary>
    public Task<ListenerRecord> ModifyListenerAsync(ModifyListenerCommand cmd, CancellationToken ct = default)
    {
        if (cmd.Protocol is { } p) ListenerProtocol(p);
        if (cmd.Port is < 1 or > 65535) throw ElbErrors.Validation($"Listener port '{cmd.Port}' must be between 1 and 65535");
        // Certificate files are read outside the commit loop; the plan only compares.
        var current = RequireListener(Current, cmd.ListenerArn).Record;
        var protocol = cmd.Protocol ?? current.Protocol;
        var (certificates, sslPolicy, alpn) = Tls(protocol, cmd.CertificateArns, cmd.SslPolicy, cmd.AlpnPolicy, current, creating: false);

        return ConfigureAsync(s =>
        {
            var listener = RequireListener(s, cmd.ListenerArn);
            var lb = s.LoadBalancers[listener.LoadBalancerId];
            var port = cmd.Port ?? listener.Record.Port;
            if (port != listener.Record.Port && s.ListenerOnPort(port) is { } taken) throw PortTaken(port, taken, lb);
            var actions = cmd.DefaultActions ?? listener.Record.DefaultActions;
            if (cmd.DefaultActions is not null || protocol != listener.Record.Protocol) Actions.Validate(actions, s, lb.Arn, protocol, Strict);
            var record = listener.Record with
            {
                Port = port, Protocol = protocol, SslPolicy = sslPolicy, Certificates = certificates, AlpnPolicy = alpn, DefaultActions = actions,
            };
            return new ConfigPlan<ListenerRecord>([TxnOp.Put(Listener(lb.Id, listener.Id), LoadBalancingJson.Serialize(record))], record);
        }, ct);
    }

    /// <summary>Deletes a listener and its rules.</summary>
    public Task DeleteListenerAsync(string? arn, CancellationToken ct = default) =>
        ConfigureAsync(s => new ConfigPlan<bool>(ListenerDeletes(RequireListener(s, arn)), true), ct);

    /// <summary>Adds SNI certificates to an HTTPS listener (already present ones are kept as they are); returns the listener's certificates.</summary>
    public Task<ImmutableArray<ListenerCertificate>> AddListenerCertificatesAsync(string? arn, IReadOnlyList<string> certificateArns, CancellationToken ct = default)
    {
        if (certificateArns.Count == 0) throw ElbErrors.Validation("At least one certificate must be specified");
        foreach (var c in certificateArns) CheckCertificate(c);
        return ConfigureAsync(s =>
        {
            var listener = RequireListener(s, arn);
            if (listener.Record.Protocol != ElbProtocol.Https) throw ElbErrors.Validation("Certificates can only be added to HTTPS listeners");
            var certificates = listener.Record.Certificates.ToBuilder();
            foreach (var c in certificateArns.Distinct(StringComparer.Ordinal))
            {
                if (!certificates.Any(x => x.CertificateArn == c)) certificates.Add(new ListenerCertificate(c, IsDefault: false));
            }
            var limit = LoadBalancingOptions.Effective(_options.MaxCertificatesPerListener, Strict, 25);
            if (limit > 0 && certificates.Count > limit)
                throw new RegistryException(ElbErrors.TooManyCertificates, $"A listener can have at most {limit} certificates");
            var record = listener.Record with { Certificates = certificates.ToImmutable() };
            return new ConfigPlan<ImmutableArray<ListenerCertificate>>(
                [TxnOp.Put(Listener(listener.LoadBalancerId, listener.Id), LoadBalancingJson.Serialize(record))], record.Certificates);
        }, ct);
    }

    /// <summary>Removes SNI certificates; the default certificate can't be removed (OperationNotPermitted).</summary>
    public Task RemoveListenerCertificatesAsync(string? arn, IReadOnlyList<string> certificateArns, CancellationToken ct = default)
    {
        if (certificateArns.Count == 0) throw ElbErrors.Validation("At least one certificate must be specified");
        return ConfigureAsync(s =>
        {
            var listener = RequireListener(s, arn);
            if (listener.Record.Certificates.Any(c => c.IsDefault && certificateArns.Contains(c.CertificateArn, StringComparer.Ordinal)))
                throw new RegistryException(ElbErrors.OperationNotPermitted, "The default certificate of a listener cannot be removed; replace it with ModifyListener");
            var kept = listener.Record.Certificates.RemoveAll(c => certificateArns.Contains(c.CertificateArn, StringComparer.Ordinal));
            if (kept.Length == listener.Record.Certificates.Length) return new ConfigPlan<bool>(null, false);
            var record = listener.Record with { Certificates = kept };
            return new ConfigPlan<bool>([TxnOp.Put(Listener(listener.LoadBalancerId, listener.Id), LoadBalancingJson.Serialize(record))], true);
        }, ct);
    }

    /// <summary>Everything a listener's removal deletes: itself, its rules and their tags.</summary>
    private static List<TxnOp> ListenerDeletes(ListenerEntry listener)
    {
        var ops = new List<TxnOp>
        {
            TxnOp.Delete(Listener(listener.LoadBalancerId, listener.Id)),
            TxnOp.DeletePrefix(RulesOf(listener.Id)),
            TxnOp.Delete(Tags(listener.Arn)),
            TxnOp.Delete(Tags(listener.Record.DefaultRuleArn)),
        };
        foreach (var rule in listener.Rules) ops.Add(TxnOp.Delete(Tags(rule.Arn)));
        return ops;
    }

    private static ElbProtocol ListenerProtocol(ElbProtocol? protocol) => protocol switch
    {
        null => throw ElbErrors.Validation("A listener protocol must be specified"),
        ElbProtocol.Http or ElbProtocol.Https => protocol.Value,
        _ => throw ElbErrors.Validation($"Listener protocol '{WireNames.Of(protocol.Value)}' must be one of 'HTTPS, HTTP'"),
    };

    private static RegistryException PortTaken(int port, ListenerEntry taken, LoadBalancerEntry lb) =>
        taken.Record.LoadBalancerArn == lb.Arn
            ? new RegistryException(ElbErrors.DuplicateListener, $"A listener already exists on port {port} for load balancer '{lb.Arn}'")
            : new RegistryException(ElbErrors.DuplicateListener,
                $"Port {port} is already taken on this host by a listener of load balancer '{taken.Record.LoadBalancerArn}'; listeners bind real ports, so a port serves one load balancer");

    /// <summary>Resolves the TLS members for a listener of <paramref name="protocol"/>, validating certificates by loading them.</summary>
    private static (ImmutableArray<ListenerCertificate>, string?, ImmutableArray<string>) Tls(
        ElbProtocol protocol, IReadOnlyList<string>? certificateArns, string? sslPolicy, IReadOnlyList<string>? alpn, ListenerRecord? current, bool creating)
    {
        if (protocol == ElbProtocol.Http)
        {
            if (certificateArns is { Count: > 0 }) throw ElbErrors.Validation("Certificates can only be specified for HTTPS listeners");
            if (sslPolicy is not null) throw ElbErrors.Validation("An SSL policy can only be specified for HTTPS listeners");
            if (alpn is { Count: > 0 }) throw ElbErrors.Validation("An ALPN policy can only be specified for HTTPS listeners");
            return ([], null, []);
        }

        ImmutableArray<ListenerCertificate> certificates;
        if (certificateArns is { Count: > 0 })
        {
            if (certificateArns.Count > 1)
                throw new RegistryException(ElbErrors.TooManyCertificates, "Specify exactly one default certificate; add more with AddListenerCertificates");
            CheckCertificate(certificateArns[0]);
            var others = creating || current is null ? [] : current.Certificates.Where(c => !c.IsDefault && c.CertificateArn != certificateArns[0]);
            certificates = [new ListenerCertificate(certificateArns[0], IsDefault: true), .. others];
        }
        else if (current is { Protocol: ElbProtocol.Https })
        {
            certificates = current.Certificates;
        }
        else
        {
            throw ElbErrors.Validation("A certificate must be specified for HTTPS listeners");
        }

        var policy = sslPolicy ?? current?.SslPolicy ?? SslPolicies.Default;
        if (!SslPolicies.Exists(policy)) throw new RegistryException(ElbErrors.SslPolicyNotFound, $"SSL policy '{policy}' not found");

        var alpnPolicy = alpn is null ? current?.AlpnPolicy ?? [] : alpn.ToImmutableArray();
        if (alpnPolicy.Length > 1) throw ElbErrors.Validation("Specify at most one ALPN policy");
        if (alpnPolicy.Length == 1 && !AlpnPolicies.Contains(alpnPolicy[0]))
            throw new RegistryException("ALPNPolicyNotFound", $"ALPN policy '{alpnPolicy[0]}' not found; use one of {string.Join(", ", AlpnPolicies)}");
        return (certificates, policy, alpnPolicy);
    }

    private static void CheckCertificate(string certificateArn)
    {
        if (ListenerCertificates.PathOf(certificateArn) is null)
            throw new RegistryException(ElbErrors.CertificateNotFound,
                $"Certificate '{certificateArn}' not found: Portolan takes certificates from files; give an absolute path or a file:// URL to a PEM or PKCS#12 file");
        if (ListenerCertificates.Problem(certificateArn) is { } problem)
            throw new RegistryException(ElbErrors.CertificateNotFound, $"Certificate '{certificateArn}' could not be loaded: {problem}");
    }
}
