namespace Portolan.Core.Registry;

/// <summary>Settings of the registry.</summary>
public sealed class RegistryOptions
{
    /// <summary>Region written into ARNs. <remarks>Defaults to us-east-1.</remarks></summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Account id written into ARNs. <remarks>Defaults to 000000000000, as other AWS emulators use.</remarks></summary>
    public string Account { get; set; } = "000000000000";

    /// <summary>
    /// Reject what AWS rejects even where Portolan can do better (e.g. HealthCheckConfig in private DNS
    /// namespaces), and apply AWS's quotas. <remarks>Defaults to false.</remarks>
    /// </summary>
    public bool StrictAws { get; set; }

    /// <summary>Most namespaces allowed; 0 = unlimited. <remarks>Defaults to unlimited; AWS's quota is 50 (applied when <see cref="StrictAws"/>).</remarks></summary>
    public int MaxNamespaces { get; set; }

    /// <summary>Most instances per service; 0 = unlimited. <remarks>Defaults to unlimited; AWS's quota is 1,000 (applied when <see cref="StrictAws"/>).</remarks></summary>
    public int MaxInstancesPerService { get; set; }

    internal int EffectiveMaxNamespaces => MaxNamespaces > 0 ? MaxNamespaces : StrictAws ? 50 : 0;
    internal int EffectiveMaxInstancesPerService => MaxInstancesPerService > 0 ? MaxInstancesPerService : StrictAws ? 1000 : 0;
}
