using System.Collections.Immutable;
using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.Validation;

public sealed class AttributesTests
{
    private static readonly NamespaceRecord Dns = Ns(NamespaceType.DnsPrivate);
    private static readonly NamespaceRecord Http = Ns(NamespaceType.Http);

    private static NamespaceRecord Ns(NamespaceType type) => new()
    {
        Id = "ns-1", Arn = "arn", Name = "domaina", Type = type, HttpName = "domaina",
        CreateDate = DateTimeOffset.UnixEpoch, CreateOperationId = "op",
    };

    private static ServiceRecord Svc(RoutingPolicy policy = RoutingPolicy.Multivalue, HealthCheckConfig? hc = null, params RecordType[] types) => new()
    {
        Id = "srv-1", Arn = "arn", Name = "echo", NamespaceId = "ns-1", Type = types.Length == 0 ? ServiceType.Http : ServiceType.DnsHttp,
        CreateDate = DateTimeOffset.UnixEpoch, HealthCheckConfig = hc,
        DnsConfig = types.Length == 0 ? null : new DnsConfig { RoutingPolicy = policy, DnsRecords = [.. types.Select(t => new DnsRecord(t, 60))] },
    };

    private static Dictionary<string, string> A(params (string K, string V)[] kv) => kv.ToDictionary(p => p.K, p => p.V);

    private static string Reject(IReadOnlyDictionary<string, string> attrs, ServiceRecord svc, NamespaceRecord ns)
    {
        var e = Assert.Throws<RegistryException>(() => Attributes.Validate(attrs, svc, ns));
        Assert.Equal(ErrorCodes.InvalidInput, e.Code);
        return e.Message;
    }

    [Fact]
    public void ARecord_RequiresIpv4() =>
        Assert.Contains("AWS_INSTANCE_IPV4", Reject(A(("AWS_INSTANCE_PORT", "80")), Svc(types: RecordType.A), Dns));

    [Fact]
    public void AaaaRecord_RequiresIpv6() =>
        Assert.Contains("AWS_INSTANCE_IPV6", Reject(A(("AWS_INSTANCE_IPV4", "10.0.0.1")), Svc(types: RecordType.Aaaa), Dns));

    [Fact]
    public void SrvRecord_RequiresPortAndAddress()
    {
        Assert.Contains("AWS_INSTANCE_PORT", Reject(A(("AWS_INSTANCE_IPV4", "10.0.0.1")), Svc(types: RecordType.Srv), Dns));
        Assert.Contains("IPV4 or AWS_INSTANCE_IPV6", Reject(A(("AWS_INSTANCE_PORT", "80")), Svc(types: RecordType.Srv), Dns));
    }

    [Fact]
    public void CnameRecord_RequiresCname() =>
        Assert.Contains("AWS_INSTANCE_CNAME", Reject(A(("x", "y")), Svc(RoutingPolicy.Weighted, null, RecordType.Cname), Dns));

    [Fact]
    public void ValidASrv_Passes() =>
        Attributes.Validate(A(("AWS_INSTANCE_IPV4", "10.0.0.1"), ("AWS_INSTANCE_PORT", "8080"), ("stage", "blue")), Svc(types: [RecordType.A, RecordType.Srv]), Dns);

    [Theory]
    [InlineData("AWS_INSTANCE_IPV4", "10.0.0")]
    [InlineData("AWS_INSTANCE_IPV4", "::1")]
    [InlineData("AWS_INSTANCE_IPV6", "10.0.0.1")]
    [InlineData("AWS_INSTANCE_PORT", "70000")]
    [InlineData("AWS_INSTANCE_PORT", "-1")]
    [InlineData("AWS_INSTANCE_PORT", "http")]
    [InlineData("AWS_INIT_HEALTH_STATUS", "MAYBE")]
    public void MalformedReservedValue_IsRejected(string key, string value) => Reject(A((key, value)), Svc(), Http);

    [Fact]
    public void Alias_CannotCombineWithInstanceAttributes() =>
        Assert.Contains("can't be combined", Reject(A(("AWS_ALIAS_DNS_NAME", "lb.example.com"), ("AWS_INSTANCE_IPV4", "10.0.0.1")), Svc(RoutingPolicy.Weighted, null, RecordType.A), Dns));

    [Fact]
    public void Alias_RequiresWeighted() =>
        Assert.Contains("WEIGHTED", Reject(A(("AWS_ALIAS_DNS_NAME", "lb.example.com")), Svc(RoutingPolicy.Multivalue, null, RecordType.A), Dns));

    [Fact]
    public void Ec2InstanceId_OnlyInHttpNamespaces()
    {
        Reject(A(("AWS_EC2_INSTANCE_ID", "i-0123")), Svc(), Dns);
        Reject(A(("AWS_EC2_INSTANCE_ID", "i-0123"), ("AWS_INSTANCE_PORT", "80")), Svc(), Http);
        Attributes.Validate(A(("AWS_EC2_INSTANCE_ID", "i-0123"), ("AWS_INIT_HEALTH_STATUS", "UNHEALTHY")), Svc(), Http);
    }

    [Fact]
    public void HealthCheckConfig_RequiresPort() =>
        Reject(A(("AWS_INSTANCE_IPV4", "10.0.0.1")), Svc(hc: new HealthCheckConfig(HealthCheckType.Tcp, null, 1)), Http);

    [Fact]
    public void MoreThan30CustomAttributes_IsRejected()
    {
        var attrs = Enumerable.Range(0, 31).ToDictionary(i => $"k{i}", i => "v");
        Assert.Contains("30 custom", Reject(attrs, Svc(), Http));
        attrs.Remove("k30");
        Attributes.Validate(attrs, Svc(), Http);
    }

    [Fact]
    public void TotalOver5000Characters_IsRejected()
    {
        var attrs = Enumerable.Range(0, 6).ToDictionary(i => $"k{i}", i => new string('v', 1000));
        Assert.Contains("5000", Reject(attrs, Svc(), Http));
    }

    [Theory]
    [InlineData("has space", "v")]
    [InlineData("k", " leading-space")]
    public void MalformedKeyOrValue_IsRejected(string key, string value) => Reject(A((key, value)), Svc(), Http);

    [Fact]
    public void HttpNamespaceService_NeedsNoAddress() => Attributes.Validate(ImmutableDictionary<string, string>.Empty.Add("color", "blue"), Svc(), Http);
}
