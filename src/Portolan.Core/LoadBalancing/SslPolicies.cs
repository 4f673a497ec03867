using System.Collections.Frozen;
using System.Security.Authentication;

// TLS 1.0/1.1 appear because ELB's older policies allow them, not because Portolan prefers them.
#pragma warning disable SYSLIB0039, CA5397

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// ELB's predefined TLS policies, by name, with the protocol versions each allows. Portolan enforces the versions
/// (the data plane passes <see cref="Protocols"/> to the TLS stack); cipher suites follow the host's OpenSSL
/// defaults, so no cipher list is claimed. TLS 1.0/1.1 may still be refused when the system's OpenSSL policy forbids them.
/// </summary>
public static class SslPolicies
{
    /// <summary>AWS's default policy for HTTPS listeners created through the API.</summary>
    public const string Default = "ELBSecurityPolicy-2016-08";

    private const SslProtocols Tls10Up = SslProtocols.Tls | SslProtocols.Tls11 | SslProtocols.Tls12;
    private const SslProtocols Tls11Up = SslProtocols.Tls11 | SslProtocols.Tls12;
    private const SslProtocols Tls13With12 = SslProtocols.Tls12 | SslProtocols.Tls13;

    private static readonly (string Name, SslProtocols Protocols)[] Policies =
    [
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", Tls13With12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", Tls13With12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", Tls13With12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", Tls13With12),
        ("ELBSecurityPolicy-TLS13-1-1-2021-06", Tls11Up | SslProtocols.Tls13),
        ("ELBSecurityPolicy-TLS13-1-0-2021-06", Tls10Up | SslProtocols.Tls13),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", SslProtocols.Tls13),
        ("ELBSecurityPolicy-2016-08", Tls10Up),
        ("ELBSecurityPolicy-TLS-1-0-2015-04", Tls10Up),
        ("ELBSecurityPolicy-TLS-1-1-2017-01", Tls11Up),
        ("ELBSecurityPolicy-TLS-1-2-2017-01", SslProtocols.Tls12),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", SslProtocols.Tls12),
        ("ELBSecurityPolicy-FS-2018-06", Tls10Up),
        ("ELBSecurityPolicy-FS-1-1-2019-08", Tls11Up),
        ("ELBSecurityPolicy-FS-1-2-2019-08", SslProtocols.Tls12),
        ("ELBSecurityPolicy-FS-1-2-Res-2019-08", SslProtocols.Tls12),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", SslProtocols.Tls12),
        ("ELBSecurityPolicy-2015-05", Tls10Up),
    ];

    private static readonly FrozenDictionary<string, SslProtocols> ByName =
        Policies.ToFrozenDictionary(p => p.Name, p => p.Protocols, StringComparer.Ordinal);

    /// <summary>Every policy name, in the order DescribeSSLPolicies lists them.</summary>
    public static IEnumerable<string> Names => Policies.Select(p => p.Name);

    public static bool Exists(string name) => ByName.ContainsKey(name);

    /// <summary>The TLS versions <paramref name="policy"/> allows (the default policy's when null or unknown).</summary>
    public static SslProtocols Protocols(string? policy) =>
        policy is not null && ByName.TryGetValue(policy, out var p) ? p : ByName[Default];

    /// <summary>The versions as ELB names them: <c>TLSv1</c>, <c>TLSv1.1</c>, <c>TLSv1.2</c>, <c>TLSv1.3</c>.</summary>
    public static IEnumerable<string> ProtocolNames(SslProtocols protocols)
    {
        if (protocols.HasFlag(SslProtocols.Tls)) yield return "TLSv1";
        if (protocols.HasFlag(SslProtocols.Tls11)) yield return "TLSv1.1";
        if (protocols.HasFlag(SslProtocols.Tls12)) yield return "TLSv1.2";
        if (protocols.HasFlag(SslProtocols.Tls13)) yield return "TLSv1.3";
    }
}
