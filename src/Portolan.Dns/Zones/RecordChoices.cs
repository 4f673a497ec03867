namespace Portolan.Dns.Zones;

/// <summary>
/// The records one type at a service name can answer with: the healthy instances' and everyone's. Answers
/// come from <see cref="Healthy"/>; when no instance is healthy they come from <see cref="All"/> (fail open:
/// Route 53 answers up to eight unhealthy MULTIVALUE records, and WEIGHTED "as if all were healthy").
/// </summary>
internal sealed class RecordChoices(Candidate[] healthy, Candidate[] all)
{
    public Candidate[] Healthy { get; } = healthy;
    public Candidate[] All { get; } = all;

    public Candidate[] Pool => Healthy.Length > 0 ? Healthy : All;
}
