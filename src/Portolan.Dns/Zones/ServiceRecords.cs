using Portolan.Core.Discovery;

namespace Portolan.Dns.Zones;

/// <summary>
/// What <c>&lt;service&gt;.&lt;namespace&gt;</c> answers, per record type the service has (null: it has none of
/// that type). A service with no instances has empty choices, which answer NODATA.
/// </summary>
internal sealed class ServiceRecords
{
    public required RoutingPolicy Policy { get; init; }
    public RecordChoices? A { get; init; }
    public RecordChoices? Aaaa { get; init; }
    public RecordChoices? Srv { get; init; }
    public RecordChoices? Cname { get; init; }
}
