using Grpc.Core;

namespace Portolan.Storage.Etcd;

/// <summary>What etcd's gRPC errors mean for the store (messages as etcd's rpctypes spell them).</summary>
internal static class EtcdErrors
{
    private const string Compacted = "required revision has been compacted";
    private const string FutureRevision = "required revision is a future revision";
    private const string LeaseNotFound = "requested lease not found";
    private const string NoLeader = "etcdserver: no leader";

    /// <summary>
    /// The member we talked to can't serve now: it is gone, it lost its leader, or a leader election is under way.
    /// Another member (or the same one, a little later) may serve the request.
    /// </summary>
    public static bool IsMemberFailure(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        || (e.StatusCode is StatusCode.Internal or StatusCode.Unknown && e.Status.DebugException is IOException or HttpRequestException);

    /// <summary>
    /// The request certainly did not reach etcd's raft log: the connection could not be made, or the member
    /// refused it up front for want of a leader (the <c>hasleader</c> check runs before the request is handled).
    /// Only such failures let a non-idempotent write be retried.
    /// </summary>
    public static bool NeverSent(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        && (e.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
            || e.Status.Detail.Contains(NoLeader, StringComparison.Ordinal));

    public static bool IsCompacted(RpcException e) => e.StatusCode == StatusCode.OutOfRange && e.Status.Detail.Contains(Compacted, StringComparison.Ordinal);

    public static bool IsFutureRevision(RpcException e) => e.StatusCode == StatusCode.OutOfRange && e.Status.Detail.Contains(FutureRevision, StringComparison.Ordinal);

    public static bool IsLeaseNotFound(RpcException e) => e.StatusCode == StatusCode.NotFound && e.Status.Detail.Contains(LeaseNotFound, StringComparison.Ordinal);

    public static StoreUnavailableException Unavailable(string what, Exception inner) =>
        new($"etcd could not {what}: {(inner is RpcException rpc ? $"{rpc.StatusCode} {rpc.Status.Detail}" : inner.Message)}", inner);
}
