namespace Portolan.Health.Subjects;

/// <summary>What a health subject belongs to; each kind has its own adapter that lists and writes it.</summary>
public enum SubjectKind
{
    /// <summary>An instance of a Cloud Map service with HealthCheckConfig. Group = service id, Id = instance id.</summary>
    CloudMapInstance,

    /// <summary>A target of a load-balancer target group. Group = target group ARN, Id = <c>target-id:port</c>.</summary>
    Target,
}

/// <summary>Identifies one health-checked subject across snapshots (and, in a cluster, across nodes).</summary>
public readonly record struct SubjectKey(SubjectKind Kind, string Group, string Id)
{
    public override string ToString() => $"{(Kind == SubjectKind.Target ? "target" : "instance")}:{Group}/{Id}";
}
