namespace Portolan.Dns.Zones;

/// <summary>Where the server reads the zone view it answers from; reading <see cref="Current"/> is one volatile read.</summary>
internal interface IZoneViewSource
{
    ZoneView Current { get; }
}
