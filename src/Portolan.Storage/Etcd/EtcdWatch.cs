using System.Runtime.CompilerServices;
using Etcdserverpb;
using Grpc.Core;

namespace Portolan.Storage.Etcd;

/// <summary>
/// One store watch over etcd watch streams. When a stream breaks (the member died, lost its leader, the
/// connection dropped) it opens a new one, on the next member, from the revision after the last one delivered,
/// so the caller sees every revision once and in order across any number of disconnects. Only a compaction that
/// passed the resume point ends it, with <see cref="StoreCompactedException"/>.
/// </summary>
/// <remarks>
/// etcd refuses a watch only when its start is strictly below the compaction revision, yet the compaction
/// revision's own history is already gone (its tombstones are dropped). The store contract calls revision C
/// compacted too, so each stream starts one revision early, at <c>next - 1</c>: etcd's check then says
/// "compacted" exactly when <c>next</c> ≤ C, and the one early revision is skipped.
/// <para>
/// etcd's revision counter is shared by every key of the cluster, so the store's revision moves when keys outside
/// the prefix change (another namespace, another prefix). A watcher waiting for such a revision would never see a
/// batch for it; so watches ask for etcd's periodic progress notifications (<c>progress_notify</c>), which etcd
/// sends an idle, caught-up watcher through the same channel as its events (so never ahead of one), every
/// <c>--experimental-watch-progress-notify-interval</c> (10 min by default; Portolan's docs set 100 ms). One
/// that reports a revision beyond the last delivered becomes an empty batch. (On-demand progress requests are not
/// used: etcd 3.4 answers them even while the watcher is catching up, ahead of events still to come.)
/// </para>
/// </remarks>
internal sealed class EtcdWatch(EtcdMembers members, EtcdKeyspace keys, string prefix, long fromRevision, CancellationToken closing)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    public async IAsyncEnumerable<WatchBatch> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closing);
        var token = linked.Token;
        var (start, end) = keys.Prefix(prefix);
        var next = fromRevision;
        var backoff = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            var member = members.Current;
            using var call = member.Watch.Watch(new CallOptions(EtcdMembers.RequireLeader, cancellationToken: token));
            var create = new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = start, RangeEnd = end, StartRevision = keys.ToEtcd(next) - 1, ProgressNotify = true },
            };
            var failure = await SendAsync(call, create, token);
            while (failure is null)
            {
                WatchResponse response;
                (response, failure) = await ReceiveAsync(call, token);
                if (failure is not null)
                {
                    break;
                }

                if (response.CompactRevision != 0)
                {
                    throw new StoreCompactedException(next, keys.FromEtcd(response.CompactRevision));
                }

                if (response.Canceled)
                {
                    // e.g. "etcdserver: no leader": this member can't serve the watch now.
                    failure = new RpcException(new Status(StatusCode.Unavailable, response.CancelReason));
                    break;
                }

                backoff = TimeSpan.FromMilliseconds(25);
                if (response.Events.Count == 0 && !response.Created && response.Header is { } header && keys.FromEtcd(header.Revision) >= next)
                {
                    // Progress: etcd has sent every event up to this revision, and none of those left were ours.
                    next = keys.FromEtcd(header.Revision) + 1;
                    yield return new WatchBatch(next - 1, []);
                    continue;
                }

                foreach (var batch in Batches(response, next))
                {
                    next = batch.Revision + 1;
                    yield return batch;
                }
            }


            if (closing.IsCancellationRequested)
            {
                yield break; // The store was disposed: the watch just ends.
            }

            cancellationToken.ThrowIfCancellationRequested();
            members.Failed(member);
            try
            {
                await Task.Delay(backoff, token);
            }
            catch (OperationCanceledException) when (closing.IsCancellationRequested)
            {
                yield break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>The response's events as one batch per revision, events in key order, skipping revisions before <paramref name="next"/>.</summary>
    private List<WatchBatch> Batches(WatchResponse response, long next)
    {
        var batches = new List<WatchBatch>();
        var events = response.Events;
        for (var i = 0; i < events.Count;)
        {
            var etcdRevision = events[i].Kv.ModRevision;
            var j = i;
            while (j < events.Count && events[j].Kv.ModRevision == etcdRevision)
            {
                j++;
            }

            var revision = keys.FromEtcd(etcdRevision);
            if (revision >= next)
            {
                // etcd lists a revision's events in the order the transaction wrote them; the contract wants key order.
                var group = new List<Mvccpb.Event>(j - i);
                for (var k = i; k < j; k++)
                {
                    group.Add(events[k]);
                }

                group.Sort(static (a, b) => a.Kv.Key.Span.SequenceCompareTo(b.Kv.Key.Span));
                batches.Add(new WatchBatch(revision, group.Select(ToEvent).ToArray()));
            }

            i = j;
        }

        return batches;
    }

    private WatchEvent ToEvent(Mvccpb.Event e) => e.Type == Mvccpb.Event.Types.EventType.Put
        ? new WatchEvent(WatchEventType.Put, keys.ToKeyValue(e.Kv))
        : new WatchEvent(WatchEventType.Delete, new KeyValue(keys.Decode(e.Kv.Key), ReadOnlyMemory<byte>.Empty, 0, keys.FromEtcd(e.Kv.ModRevision), 0, 0));

    private static async Task<Exception?> SendAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, WatchRequest request, CancellationToken token)
    {
        try
        {
            await call.RequestStream.WriteAsync(request, token);
            return null;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or InvalidOperationException)
        {
            return e;
        }
    }

    private static async Task<(WatchResponse Response, Exception? Failure)> ReceiveAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken token)
    {
        try
        {
            return await call.ResponseStream.MoveNext(token)
                ? (call.ResponseStream.Current, null)
                : (new WatchResponse(), new RpcException(new Status(StatusCode.Unavailable, "The watch stream ended.")));
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or IOException)
        {
            return (new WatchResponse(), e);
        }
    }
}
