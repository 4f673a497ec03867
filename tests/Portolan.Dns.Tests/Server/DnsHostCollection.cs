using Portolan.Dns.Tests.Support;

namespace Portolan.Dns.Tests.Server;

/// <summary>One in-process host for every test that talks to the server over sockets with default limits.</summary>
[CollectionDefinition(Name)]
public sealed class DnsHostCollection : ICollectionFixture<DnsHost>
{
    public const string Name = "dns-host";
}
