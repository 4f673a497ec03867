using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.Validation;

public sealed class ServiceConfigTests
{
    private static NamespaceRecord Ns(NamespaceType type) => new()
    {
        Id = "ns-1", Arn = "arn", Name = "domaina", Type = type, HttpName = "domaina",
        CreateDate = DateTimeOffset.UnixEpoch, CreateOperationId = "op",
    };

    private static DnsConfig Dns(RoutingPolicy policy, params RecordType[] types) =>
        new() { RoutingPolicy = policy, DnsRecords = [.. types.Select(t => new DnsRecord(t, 60))] };

    [Theory]
    [InlineData(new[] { RecordType.A })]
    [InlineData(new[] { RecordType.Aaaa })]
    [InlineData(new[] { RecordType.A, RecordType.Aaaa })]
    [InlineData(new[] { RecordType.Srv })]
    [InlineData(new[] { RecordType.A, RecordType.Srv })]
    [InlineData(new[] { RecordType.A, RecordType.Aaaa, RecordType.Srv })]
    public void Dns_SupportedCombinations_Pass(RecordType[] types) => ServiceConfig.Dns(Dns(RoutingPolicy.Multivalue, types), Ns(NamespaceType.DnsPrivate));

    [Fact]
    public void Dns_CnameNeedsWeightedAndStandsAlone()
    {
        ServiceConfig.Dns(Dns(RoutingPolicy.Weighted, RecordType.Cname), Ns(NamespaceType.DnsPrivate));
        Assert.Throws<RegistryException>(() => ServiceConfig.Dns(Dns(RoutingPolicy.Multivalue, RecordType.Cname), Ns(NamespaceType.DnsPrivate)));
        Assert.Throws<RegistryException>(() => ServiceConfig.Dns(Dns(RoutingPolicy.Weighted, RecordType.Cname, RecordType.A), Ns(NamespaceType.DnsPrivate)));
    }

    [Fact]
    public void Dns_DuplicateTypeOrHttpNamespaceOrEmpty_Rejected()
    {
        Assert.Throws<RegistryException>(() => ServiceConfig.Dns(Dns(RoutingPolicy.Multivalue, RecordType.A, RecordType.A), Ns(NamespaceType.DnsPrivate)));
        Assert.Throws<RegistryException>(() => ServiceConfig.Dns(Dns(RoutingPolicy.Multivalue, RecordType.A), Ns(NamespaceType.Http)));
        Assert.Throws<RegistryException>(() => ServiceConfig.Dns(Dns(RoutingPolicy.Multivalue), Ns(NamespaceType.DnsPrivate)));
    }

    [Fact]
    public void Health_BothKinds_Rejected() =>
        Assert.Throws<RegistryException>(() => ServiceConfig.Health(new HealthCheckConfig(HealthCheckType.Http, "/", 1), new HealthCheckCustomConfig(), null, Ns(NamespaceType.Http), false));

    [Fact]
    public void Health_TcpWithPath_AndBadThreshold_Rejected()
    {
        Assert.Throws<RegistryException>(() => ServiceConfig.Health(new HealthCheckConfig(HealthCheckType.Tcp, "/", 1), null, null, Ns(NamespaceType.Http), false));
        Assert.Throws<RegistryException>(() => ServiceConfig.Health(new HealthCheckConfig(HealthCheckType.Http, "/", 11), null, null, Ns(NamespaceType.Http), false));
    }

    [Fact]
    public void Health_PrivateNamespace_AllowedUnlessStrict()
    {
        var check = new HealthCheckConfig(HealthCheckType.Http, "/health", 3);
        ServiceConfig.Health(check, null, null, Ns(NamespaceType.DnsPrivate), strictAws: false);
        var e = Assert.Throws<RegistryException>(() => ServiceConfig.Health(check, null, null, Ns(NamespaceType.DnsPrivate), strictAws: true));
        Assert.Contains("strict", e.Message);
    }

    [Fact]
    public void Health_WithCname_Rejected() =>
        Assert.Throws<RegistryException>(() => ServiceConfig.Health(new HealthCheckConfig(HealthCheckType.Http, "/", 1), null, Dns(RoutingPolicy.Weighted, RecordType.Cname), Ns(NamespaceType.DnsPublic), false));
}
