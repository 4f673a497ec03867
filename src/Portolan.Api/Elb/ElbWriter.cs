using System.Globalization;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

/// <summary>The XML shapes of ELB's resources, member names and order as in the 2015-12-01 model.</summary>
internal static class ElbWriter
{
    public static void LoadBalancer(QueryXml x, LoadBalancerRecord lb)
    {
        x.Text("LoadBalancerArn", lb.Arn);
        x.Text("DNSName", lb.DnsName);
        x.Text("CanonicalHostedZoneId", lb.CanonicalHostedZoneId);
        x.Time("CreatedTime", lb.CreatedTime);
        x.Text("LoadBalancerName", lb.Name);
        x.Text("Scheme", WireNames.Of(lb.Scheme));
        x.Text("VpcId", lb.VpcId);
        x.Open("State");
        x.Text("Code", WireNames.Of(lb.State));
        x.Text("Reason", lb.StateReason);
        x.Close("State");
        x.Text("Type", "application");
        AvailabilityZones(x, lb);
        x.Strings("SecurityGroups", lb.SecurityGroups);
        x.Text("IpAddressType", WireNames.Of(lb.IpAddressType));
    }

    public static void AvailabilityZones(QueryXml x, LoadBalancerRecord lb) =>
        x.List("AvailabilityZones", lb.Subnets, static (x, z) =>
        {
            x.Text("ZoneName", z.ZoneName);
            x.Text("SubnetId", z.SubnetId);
            x.Empty("LoadBalancerAddresses");
        });

    public static void TargetGroup(QueryXml x, TargetGroupEntry entry) => TargetGroup(x, entry.Record, entry.LoadBalancerArns);

    public static void TargetGroup(QueryXml x, TargetGroupRecord tg, IEnumerable<string> loadBalancerArns)
    {
        var hc = tg.HealthCheck;
        x.Text("TargetGroupArn", tg.Arn);
        x.Text("TargetGroupName", tg.Name);
        x.Text("Protocol", WireNames.Of(tg.Protocol));
        x.Number("Port", tg.Port);
        x.Text("VpcId", tg.VpcId);
        x.Text("HealthCheckProtocol", WireNames.Of(hc.Protocol));
        x.Text("HealthCheckPort", hc.Port);
        x.Bool("HealthCheckEnabled", hc.Enabled);
        x.Number("HealthCheckIntervalSeconds", hc.IntervalSeconds);
        x.Number("HealthCheckTimeoutSeconds", hc.TimeoutSeconds);
        x.Number("HealthyThresholdCount", hc.HealthyThresholdCount);
        x.Number("UnhealthyThresholdCount", hc.UnhealthyThresholdCount);
        x.Text("HealthCheckPath", hc.Path);
        if (hc.Matcher is { } m)
        {
            x.Open("Matcher");
            x.Text("HttpCode", m.HttpCode);
            x.Text("GrpcCode", m.GrpcCode);
            x.Close("Matcher");
        }
        x.Strings("LoadBalancerArns", loadBalancerArns);
        x.Text("TargetType", WireNames.Of(tg.TargetType));
        x.Text("ProtocolVersion", tg.ProtocolVersion is { } v ? WireNames.Of(v) : null);
        x.Text("IpAddressType", WireNames.Of(tg.IpAddressType));
    }

    public static void Listener(QueryXml x, ListenerRecord l)
    {
        x.Text("ListenerArn", l.Arn);
        x.Text("LoadBalancerArn", l.LoadBalancerArn);
        x.Number("Port", l.Port);
        x.Text("Protocol", WireNames.Of(l.Protocol));
        // Describe/Create show only the default certificate; DescribeListenerCertificates lists them all.
        if (l.DefaultCertificate is { } c) x.List("Certificates", [c], static (x, c) => x.Text("CertificateArn", c.CertificateArn));
        x.Text("SslPolicy", l.SslPolicy);
        Actions(x, "DefaultActions", l.DefaultActions);
        if (!l.AlpnPolicy.IsDefaultOrEmpty) x.Strings("AlpnPolicy", l.AlpnPolicy);
    }

    public static void Certificate(QueryXml x, ListenerCertificate c)
    {
        x.Text("CertificateArn", c.CertificateArn);
        x.Bool("IsDefault", c.IsDefault);
    }

    public static void Rule(QueryXml x, RuleRecord r)
    {
        x.Text("RuleArn", r.Arn);
        x.Text("Priority", r.Priority.ToString(CultureInfo.InvariantCulture));
        x.List("Conditions", r.Conditions, static (x, c) => Condition(x, c));
        Actions(x, "Actions", r.Actions);
        x.Bool("IsDefault", false);
    }

    /// <summary>A listener's default rule: priority <c>default</c>, no conditions, the listener's default actions.</summary>
    public static void DefaultRule(QueryXml x, ListenerRecord l)
    {
        x.Text("RuleArn", l.DefaultRuleArn);
        x.Text("Priority", "default");
        x.Empty("Conditions");
        Actions(x, "Actions", l.DefaultActions);
        x.Bool("IsDefault", true);
    }

    public static void Actions(QueryXml x, string name, IEnumerable<RuleAction> actions) =>
        x.List(name, actions, static (x, a) => Action(x, a));

    private static void Action(QueryXml x, RuleAction a)
    {
        x.Text("Type", WireNames.Of(a.Type));
        // A forward to one group also shows that group as TargetGroupArn, as ELB does.
        if (a.Forward is { TargetGroups.Length: 1 } single) x.Text("TargetGroupArn", single.TargetGroups[0].TargetGroupArn);
        x.Number("Order", a.Order);
        if (a.Redirect is { } r)
        {
            x.Open("RedirectConfig");
            x.Text("Protocol", r.Protocol);
            x.Text("Port", r.Port);
            x.Text("Host", r.Host);
            x.Text("Path", r.Path);
            x.Text("Query", r.Query);
            x.Text("StatusCode", r.StatusCode == 301 ? "HTTP_301" : "HTTP_302");
            x.Close("RedirectConfig");
        }
        if (a.FixedResponse is { } f)
        {
            x.Open("FixedResponseConfig");
            x.Text("MessageBody", f.MessageBody);
            x.Text("StatusCode", f.StatusCode.ToString(CultureInfo.InvariantCulture));
            x.Text("ContentType", f.ContentType);
            x.Close("FixedResponseConfig");
        }
        if (a.Forward is { } forward)
        {
            x.Open("ForwardConfig");
            x.List("TargetGroups", forward.TargetGroups, static (x, g) =>
            {
                x.Text("TargetGroupArn", g.TargetGroupArn);
                x.Number("Weight", g.Weight);
            });
            x.Open("TargetGroupStickinessConfig");
            x.Bool("Enabled", forward.Stickiness.Enabled);
            x.Number("DurationSeconds", forward.Stickiness.DurationSeconds);
            x.Close("TargetGroupStickinessConfig");
            x.Close("ForwardConfig");
        }
    }

    private static void Condition(QueryXml x, RuleCondition c)
    {
        x.Text("Field", WireNames.Of(c.Field));
        switch (c.Field)
        {
            // The two fields with a legacy Values form show both forms, as ELB does.
            case ConditionField.PathPattern:
                x.Strings("Values", c.Values);
                ValuesConfig(x, "PathPatternConfig", c);
                break;
            case ConditionField.HostHeader:
                x.Strings("Values", c.Values);
                ValuesConfig(x, "HostHeaderConfig", c);
                break;
            case ConditionField.HttpHeader:
                x.Open("HttpHeaderConfig");
                x.Text("HttpHeaderName", c.HttpHeaderName);
                x.Strings("Values", c.Values);
                x.Close("HttpHeaderConfig");
                break;
            case ConditionField.QueryString:
                x.Open("QueryStringConfig");
                x.List("Values", c.QueryStrings, static (x, p) =>
                {
                    x.Text("Key", p.Key);
                    x.Text("Value", p.Value);
                });
                x.Close("QueryStringConfig");
                break;
            case ConditionField.HttpRequestMethod:
                ValuesConfig(x, "HttpRequestMethodConfig", c);
                break;
            case ConditionField.SourceIp:
                ValuesConfig(x, "SourceIpConfig", c);
                break;
        }
    }

    private static void ValuesConfig(QueryXml x, string name, RuleCondition c)
    {
        x.Open(name);
        x.Strings("Values", c.Values);
        x.Close(name);
    }

    public static void Attributes(QueryXml x, IEnumerable<KeyValuePair<string, string>> attributes) =>
        x.List("Attributes", attributes, static (x, kv) =>
        {
            x.Text("Key", kv.Key);
            x.Text("Value", kv.Value);
        });

    public static void Tags(QueryXml x, IEnumerable<KeyValuePair<string, string>> tags) =>
        x.List("Tags", tags, static (x, kv) =>
        {
            x.Text("Key", kv.Key);
            x.Text("Value", kv.Value);
        });
}
