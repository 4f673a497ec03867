using System.Collections.Immutable;
using Portolan.Core.Registry;

namespace Portolan.Core.LoadBalancing.Validation;

/// <summary>
/// Action rules of listeners and rules: exactly one terminal action (forward, redirect, fixed-response; Portolan has
/// no authenticate actions); a forward sends to 1–5 existing HTTP/HTTPS target groups of weight 0–999 that no other
/// load balancer uses; redirects change something; fixed responses are 2XX/4XX/5XX with one of ALB's content types.
/// </summary>
public static class Actions
{
    public const int MaxTargetGroupsPerForward = 5;
    public const int MaxStickinessSeconds = 604800;

    private static readonly string[] ContentTypes = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

    public static void Validate(ImmutableArray<RuleAction> actions, LoadBalancingSnapshot s, string loadBalancerArn, ElbProtocol listenerProtocol, bool strict)
    {
        if (actions.IsDefaultOrEmpty) throw ElbErrors.Validation("At least one action must be specified");
        if (actions.Length > 1)
            throw new RegistryException(ElbErrors.InvalidLoadBalancerAction, "A rule can have only one action of type forward, redirect or fixed-response");
        foreach (var a in actions)
        {
            if (a.Order is < 1 or > 50000) throw ElbErrors.Validation("Action order must be between 1 and 50000");
            switch (a.Type)
            {
                case ActionType.Forward:
                    Forward(a.Forward ?? throw ElbErrors.Validation("A forward action needs a TargetGroupArn or a ForwardConfig"), s, loadBalancerArn, listenerProtocol, strict);
                    break;
                case ActionType.Redirect:
                    Redirect(a.Redirect ?? throw ElbErrors.Validation("A redirect action needs a RedirectConfig"));
                    break;
                case ActionType.FixedResponse:
                    FixedResponse(a.FixedResponse ?? throw ElbErrors.Validation("A fixed-response action needs a FixedResponseConfig"));
                    break;
            }
        }
    }

    private static void Forward(ForwardConfig forward, LoadBalancingSnapshot s, string loadBalancerArn, ElbProtocol listenerProtocol, bool strict)
    {
        if (forward.TargetGroups.IsDefaultOrEmpty) throw ElbErrors.Validation("A forward action must name at least one target group");
        if (forward.TargetGroups.Length > MaxTargetGroupsPerForward)
            throw ElbErrors.Validation($"A forward action can have at most {MaxTargetGroupsPerForward} target groups");
        if (forward.TargetGroups.Select(g => g.TargetGroupArn).Distinct(StringComparer.Ordinal).Count() != forward.TargetGroups.Length)
            throw ElbErrors.Validation("A target group can appear only once in a forward action");
        if (forward.Stickiness.Enabled && forward.Stickiness.DurationSeconds is not (>= 1 and <= MaxStickinessSeconds))
            throw ElbErrors.Validation($"Target group stickiness duration must be between 1 and {MaxStickinessSeconds} seconds");

        foreach (var (arn, weight) in forward.TargetGroups)
        {
            if (weight is < 0 or > 999) throw ElbErrors.Validation($"Target group weight '{weight}' must be between 0 and 999");
            if (!ElbArns.IsWellFormed(arn, ElbResourceKind.TargetGroup)) throw ElbErrors.Validation($"'{arn}' is not a valid target group ARN");
            var tg = s.FindTargetGroup(arn) ?? throw ElbErrors.TargetGroupMissing();
            if (!tg.Record.IsApplication)
                throw new RegistryException(ElbErrors.IncompatibleProtocols,
                    $"Target group '{arn}' has protocol {WireNames.Of(tg.Record.Protocol)}; an application load balancer forwards only to HTTP and HTTPS target groups");
            if (strict && listenerProtocol == ElbProtocol.Http && tg.Record.ProtocolVersion is ProtocolVersion.Grpc or ProtocolVersion.Http2)
                throw new RegistryException(ElbErrors.IncompatibleProtocols,
                    $"Target group '{arn}' uses protocol version {WireNames.Of(tg.Record.ProtocolVersion.Value)}, which is supported only with HTTPS listeners");
            if (tg.LoadBalancerArns.Any(lb => lb != loadBalancerArn))
                throw new RegistryException(ElbErrors.TargetGroupAssociationLimit,
                    $"The following target groups cannot be associated with more than one load balancer: {arn}");
        }
    }

    private static void Redirect(RedirectConfig r)
    {
        if (r.StatusCode is not (301 or 302)) throw ElbErrors.Validation("Redirect status code must be HTTP_301 or HTTP_302");
        if (r.Protocol is not ("HTTP" or "HTTPS" or "#{protocol}")) throw ElbErrors.Validation($"Redirect protocol '{r.Protocol}' must be HTTP, HTTPS or #{{protocol}}");
        if (r.Port != "#{port}" && !AttributeRule.IsInt(r.Port, 1, 65535)) throw ElbErrors.Validation($"Redirect port '{r.Port}' must be between 1 and 65535 or #{{port}}");
        if (r.Host.Length is < 1 or > 128) throw ElbErrors.Validation("Redirect host must be 1-128 characters");
        if (r.Path.Length is < 1 or > 128 || r.Path[0] != '/') throw ElbErrors.Validation("Redirect path must be 1-128 characters and start with '/'");
        if (r.Query.Length > 128) throw ElbErrors.Validation("Redirect query must be at most 128 characters");
        if (r.Protocol == "#{protocol}" && r.Port == "#{port}" && r.Host == "#{host}" && r.Path == "/#{path}")
            throw new RegistryException(ElbErrors.InvalidLoadBalancerAction, "A redirect must change at least one of protocol, port, host or path, or it would loop");
    }

    private static void FixedResponse(FixedResponseConfig f)
    {
        if (f.StatusCode is not ((>= 200 and <= 299) or (>= 400 and <= 599)))
            throw ElbErrors.Validation($"Fixed response status code '{f.StatusCode}' must be 2XX, 4XX or 5XX");
        if (f.ContentType is not null && !ContentTypes.Contains(f.ContentType, StringComparer.Ordinal))
            throw ElbErrors.Validation($"Fixed response content type must be one of: {string.Join(", ", ContentTypes)}");
        if (f.MessageBody is { Length: > 1024 }) throw ElbErrors.Validation("Fixed response message body must be at most 1024 characters");
    }
}
