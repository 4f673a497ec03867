namespace Portolan.Proxy;

/// <summary>
/// Process-wide settings the data plane needs, applied by the host's <c>Main</c> before anything else runs (they are
/// read once, at first use).
/// </summary>
public static class ProcessTuning
{
    private const string MaxArraysPerPartition = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>
    /// Lets the shared byte-array pool keep 256 arrays per size and core instead of 32. SocketsHttpHandler rents a
    /// header buffer and response-body buffers per HTTP/2 stream from that pool; with more streams in flight to the
    /// targets than the pool holds (32 × cores: 64 on a 2-core machine, fewer than one h2load run's 160), every
    /// rent misses and allocates, which made the h2c → HTTP/2 and gRPC paths allocate 29–43 KB per request instead of
    /// 4–7 KB. An operator's own setting of the variable wins.
    /// </summary>
    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable(MaxArraysPerPartition) is null) Environment.SetEnvironmentVariable(MaxArraysPerPartition, "256");
    }
}
