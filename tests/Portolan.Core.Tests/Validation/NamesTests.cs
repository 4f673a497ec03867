using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.Validation;

public sealed class NamesTests
{
    [Theory]
    [InlineData("domaina", NamespaceType.DnsPrivate, "domaina")]
    [InlineData("example.com.", NamespaceType.DnsPublic, "example.com")]
    [InlineData("svc.internal", NamespaceType.DnsPrivate, "svc.internal")]
    [InlineData("any!thing~http", NamespaceType.Http, "any!thing~http")]
    public void Namespace_ValidName_ReturnsNormalised(string name, NamespaceType type, string expected) =>
        Assert.Equal(expected, Names.Namespace(name, type));

    [Theory]
    [InlineData("", NamespaceType.Http)]
    [InlineData("has space", NamespaceType.Http)]
    [InlineData("bad..name", NamespaceType.DnsPrivate)]
    [InlineData("-lead.example", NamespaceType.DnsPrivate)]
    [InlineData("singlelabel", NamespaceType.DnsPublic)]
    [InlineData("under_score.com", NamespaceType.DnsPublic)]
    public void Namespace_InvalidName_IsInvalidInput(string name, NamespaceType type)
    {
        var e = Assert.Throws<RegistryException>(() => Names.Namespace(name, type));
        Assert.Equal(ErrorCodes.InvalidInput, e.Code);
    }

    [Fact]
    public void Namespace_LabelOver63_IsInvalidInput() =>
        Assert.Throws<RegistryException>(() => Names.Namespace(new string('a', 64) + ".local", NamespaceType.DnsPrivate));

    [Theory]
    [InlineData("echoservice")]
    [InlineData("_exampleservice._tcp")]
    [InlineData("a")]
    [InlineData("api-v2")]
    public void Service_ValidName_Passes(string name) => Names.Service(name);

    [Theory]
    [InlineData("")]
    [InlineData("-bad")]
    [InlineData("bad-")]
    [InlineData("has space")]
    [InlineData("a..b")]
    public void Service_InvalidName_IsInvalidInput(string name) =>
        Assert.Equal(ErrorCodes.InvalidInput, Assert.Throws<RegistryException>(() => Names.Service(name)).Code);

    [Fact]
    public void Service_NameOver127_IsInvalidInput() =>
        Assert.Throws<RegistryException>(() => Names.Service(string.Join('.', Enumerable.Repeat(new string('a', 60), 3))));

    [Theory]
    [InlineData("i-1")]
    [InlineData("10.0.0.1:80")]
    [InlineData("task/abc@x_y")]
    public void Instance_ValidId_Passes(string id) => Names.Instance(id);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public void Instance_InvalidId_IsInvalidInput(string id) =>
        Assert.Throws<RegistryException>(() => Names.Instance(id));

    [Fact]
    public void Instance_IdOver64_IsInvalidInput() => Assert.Throws<RegistryException>(() => Names.Instance(new string('x', 65)));
}
