namespace Portolan.Api.Edge;

/// <summary>Limits of the AWS API edge.</summary>
public sealed class AwsEdgeOptions
{
    /// <summary>
    /// Largest request body accepted (10 MiB). The biggest real inputs (an ECS task definition with many containers)
    /// are tens of KiB; the cap stops one request from pinning a large buffer. Larger bodies get 413 in the caller's
    /// protocol.
    /// </summary>
    public int MaxBodyBytes
    {
        get;
        set
        {
            // Bounded well below int.MaxValue so that "limit + 1" and buffer doubling never overflow.
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 30);
            field = value;
        }
    } = 10 * 1024 * 1024;
}
