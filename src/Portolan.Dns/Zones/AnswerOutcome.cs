namespace Portolan.Dns.Zones;

/// <summary>What <see cref="ZoneAnswerer"/> wrote.</summary>
internal enum AnswerOutcome
{
    /// <summary>An authoritative NOERROR reply: records, or NODATA with the zone's SOA.</summary>
    NoError,

    /// <summary>An authoritative NXDOMAIN with the zone's SOA.</summary>
    NameError,

    /// <summary>The name is in none of our zones; nothing was written.</summary>
    NotOurs,

    /// <summary>The required records did not fit under the writer's limit: the reply must be cut to TC=1.</summary>
    Truncated,
}
