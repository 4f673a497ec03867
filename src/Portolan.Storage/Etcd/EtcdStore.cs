using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using KeyRules = Portolan.Storage.Sqlite.KeyRules;

namespace Portolan.Storage.Etcd;

/// <summary>
/// <see cref="IStore"/> on an etcd v3 cluster (through dotnet-etcd's gRPC clients), for Portolan nodes that share
/// one registry. Keys, revisions and compares map one to one onto etcd's (<see cref="EtcdKeyspace"/> says how
/// the namespace and the revision origin shift them); leases are etcd leases, expiring on the cluster's clock;
/// watches are etcd watches that survive a member's loss by resuming on another member from the last revision
/// delivered (<see cref="EtcdWatch"/>). Durability is etcd's: a write is acknowledged once a quorum has it.
/// </summary>
public sealed class EtcdStore : IStore
{
    private readonly EtcdMembers _members;
    private readonly EtcdKeyspace _keys;
    private readonly EtcdStoreOptions _options;
    private readonly CancellationTokenSource _closing = new();
    private readonly InFlightCalls _calls = new();
    private int _disposed;

    private EtcdStore(EtcdMembers members, EtcdKeyspace keys, EtcdStoreOptions options)
    {
        _members = members;
        _keys = keys;
        _options = options;
    }

    /// <summary>The cluster's client URLs, as configured.</summary>
    public IReadOnlyList<Uri> Endpoints => _options.Endpoints;

    /// <summary>The etcd key prefix this store owns.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>The member requests currently go to.</summary>
    public Uri CurrentEndpoint => _members.Current.Endpoint;

    /// <summary>
    /// Connects and finds (or, on an empty namespace, records) the revision origin. Fails if no member answers
    /// within <see cref="EtcdStoreOptions.RequestTimeout"/>.
    /// </summary>
    /// <exception cref="StoreUnavailableException">No member answered, or the namespace holds data without an origin.</exception>
    public static async Task<EtcdStore> OpenAsync(EtcdStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var members = new EtcdMembers(options);
        var keys = new EtcdKeyspace(options.Namespace);
        try
        {
            keys.Origin = await FindOrCreateOriginAsync(members, keys, cancellationToken);
            return new EtcdStore(members, keys, options);
        }
        catch
        {
            members.Dispose();
            throw;
        }
    }

    private static async Task<long> FindOrCreateOriginAsync(EtcdMembers members, EtcdKeyspace keys, CancellationToken ct)
    {
        while (true)
        {
            var existing = await members.CallAsync(
                (m, o) => m.Kv.RangeAsync(new RangeRequest { Key = keys.OriginKey }, o), idempotent: true, "read the store origin", ct);
            if (existing.Kvs.Count == 1)
            {
                return existing.Kvs[0].CreateRevision;
            }

            // Created only over an empty data range: revisions of keys written before the origin would map to
            // nothing sensible, so data without an origin is refused rather than adopted.
            var create = new TxnRequest
            {
                Compare =
                {
                    new Etcdserverpb.Compare { Key = keys.OriginKey, Target = Etcdserverpb.Compare.Types.CompareTarget.Version, Version = 0 },
                    new Etcdserverpb.Compare { Key = keys.DataStart, RangeEnd = keys.DataEnd, Target = Etcdserverpb.Compare.Types.CompareTarget.Version, Version = 0 },
                },
                Success = { new RequestOp { RequestPut = new PutRequest { Key = keys.OriginKey, Value = ByteString.CopyFromUtf8("{\"format\":1}") } } },
            };
            var created = await members.CallAsync((m, o) => m.Kv.TxnAsync(create, o), idempotent: true, "record the store origin", ct);
            if (created.Succeeded)
            {
                return created.Header.Revision;
            }

            var data = await members.CallAsync(
                (m, o) => m.Kv.RangeAsync(new RangeRequest { Key = keys.DataStart, RangeEnd = keys.DataEnd, CountOnly = true }, o),
                idempotent: true, "read the store", ct);
            if (data.Count > 0)
            {
                throw new StoreUnavailableException(
                    $"The etcd namespace holds {data.Count} keys under {keys.DataStart.ToStringUtf8()} but no {keys.OriginKey.ToStringUtf8()}; refusing to adopt it.");
            }

            // Another node created the origin first: read it on the next pass.
        }
    }

    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ReadRevisionAsync, cancellationToken);

    private async Task<long> ReadRevisionAsync(CancellationToken cancellationToken)
    {
        // A linearizable read of one small key: its header carries the cluster's current revision.
        var response = await _members.CallAsync(
            (m, o) => m.Kv.RangeAsync(new RangeRequest { Key = _keys.OriginKey, CountOnly = true }, o), idempotent: true, "read the revision", cancellationToken);
        return _keys.FromEtcd(response.Header.Revision);
    }

    public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyRules.Validate(key, nameof(key));
        return RunAsync(async ct =>
        {
            var response = await _members.CallAsync(
                (m, o) => m.Kv.RangeAsync(new RangeRequest { Key = _keys.Key(key) }, o), idempotent: true, "read a key", ct);
            return response.Kvs.Count == 0 ? null : _keys.ToKeyValue(response.Kvs[0]);
        }, cancellationToken);
    }

    public ValueTask<RangeResult> RangeAsync(string prefix, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyRules.Validate(prefix, nameof(prefix), allowEmpty: true);
        var limit = options?.Limit ?? 0;
        var startAfter = options?.StartAfter;
        ArgumentOutOfRangeException.ThrowIfNegative(limit, nameof(options));
        if (startAfter is not null)
        {
            KeyRules.Validate(startAfter, nameof(options), allowEmpty: true);
        }

        var (start, end) = _keys.Prefix(prefix);
        if (startAfter is not null)
        {
            var after = _keys.After(startAfter);
            if (ByteStringCompare(after, end) >= 0)
            {
                return RunAsync(async ct => new RangeResult([], await ReadRevisionAsync(ct), false), cancellationToken);
            }

            start = ByteStringCompare(after, start) > 0 ? after : start;
        }

        return RunAsync(async ct =>
        {
            while (true)
            {
                try
                {
                    return await ReadPagesAsync(start, end, limit, ct);
                }
                catch (RpcException e) when (EtcdErrors.IsCompacted(e))
                {
                    // A compaction overtook the paged read's revision: read again at a newer one.
                }
            }
        }, cancellationToken);
    }

    /// <summary>Reads [start, end) in pages, every page at the revision of the first, up to <paramref name="limit"/> keys (0 = all).</summary>
    private async Task<RangeResult> ReadPagesAsync(ByteString start, ByteString end, int limit, CancellationToken ct)
    {
        var kvs = new List<KeyValue>();
        var revision = 0L;
        while (true)
        {
            var want = limit == 0 ? _options.RangePageSize : Math.Min(_options.RangePageSize, limit - kvs.Count);
            var request = new RangeRequest { Key = start, RangeEnd = end, Limit = want, Revision = revision };
            var page = await _members.CallAsync((m, o) => m.Kv.RangeAsync(request, o), idempotent: true, "read a range", ct);
            revision = page.Header.Revision;
            foreach (var kv in page.Kvs)
            {
                kvs.Add(_keys.ToKeyValue(kv));
            }

            var full = limit > 0 && kvs.Count >= limit;
            if (!page.More || full)
            {
                return new RangeResult(kvs, _keys.FromEtcd(revision), page.More);
            }

            start = AfterKey(page.Kvs[^1].Key);
        }
    }

    public ValueTask<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default)
    {
        var request = EtcdTxnBuilder.Build(txn, _keys);
        return RunAsync(async _ =>
        {
            try
            {
                // Once sent, the outcome is reported whatever the caller's token does (the contract honours
                // cancellation only before the store starts applying); the request timeout still bounds it.
                var response = await _members.CallAsync((m, o) => m.Kv.TxnAsync(request, o), idempotent: false, "commit a transaction", CancellationToken.None);
                return new TxnResult(response.Succeeded, _keys.FromEtcd(response.Header.Revision));
            }
            catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
            {
                throw new LeaseNotFoundException(await MissingLeaseAsync(txn, CancellationToken.None));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                throw new ArgumentException($"etcd refused the transaction: {e.Status.Detail}", nameof(txn), e);
            }
        }, cancellationToken);
    }

    /// <summary>etcd says a lease was missing but not which: the first lease of the transaction that is gone.</summary>
    private async Task<long> MissingLeaseAsync(Txn txn, CancellationToken ct)
    {
        var leases = txn.Success.Where(op => op.Kind == TxnOpKind.Put && op.Lease != 0).Select(op => op.Lease).Distinct().ToList();
        foreach (var lease in leases.Count > 1 ? leases : [])
        {
            var ttl = await _members.CallAsync(
                (m, o) => m.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease }, o), idempotent: true, "read a lease", ct);
            if (ttl.TTL == -1)
            {
                return lease;
            }
        }

        return leases.FirstOrDefault();
    }

    public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        KeyRules.Validate(prefix, nameof(prefix), allowEmpty: true);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ThrowIfDisposed();
        return new EtcdWatch(_members, _keys, prefix, Math.Max(fromRevision, 1), _closing.Token).RunAsync(cancellationToken);
    }

    public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        // etcd counts whole seconds (and raises a TTL below its minimum, about 1.5 election timeouts, to it).
        const long MaxTtlSeconds = 9_000_000_000;
        var seconds = (long)Math.Min(Math.Ceiling(ttl.TotalSeconds), MaxTtlSeconds);
        return RunAsync(async ct =>
        {
            // Idempotent enough to retry: a lease granted by a lost attempt just expires unused.
            var response = await _members.CallAsync(
                (m, o) => m.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, o), idempotent: true, "grant a lease", ct);
            return string.IsNullOrEmpty(response.Error) ? response.ID : throw new StoreUnavailableException($"etcd could not grant a lease: {response.Error}");
        }, cancellationToken);
    }

    public async ValueTask KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        var ttl = await RunAsync(ct => _members.CallAsync((m, o) => KeepAliveOnceAsync(m, leaseId, o), idempotent: true, "keep a lease alive", ct), cancellationToken);
        if (ttl <= 0)
        {
            throw new LeaseNotFoundException(leaseId);
        }
    }

    /// <summary>One renewal on etcd's keep-alive stream: send the id, read the answer (TTL 0 = no such lease).</summary>
    private static AsyncUnaryCall<long> KeepAliveOnceAsync(EtcdMembers.Member member, long leaseId, CallOptions options)
    {
        var call = member.Lease.LeaseKeepAlive(options);
        return new AsyncUnaryCall<long>(RenewAsync(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);

        async Task<long> RenewAsync()
        {
            try
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, options.CancellationToken);
                await call.RequestStream.CompleteAsync();
                if (!await call.ResponseStream.MoveNext(options.CancellationToken))
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "The keep-alive stream ended without an answer."));
                }

                return call.ResponseStream.Current.TTL;
            }
            finally
            {
                call.Dispose();
            }
        }
    }

    public async ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) =>
        await RunAsync(async ct =>
        {
            try
            {
                await _members.CallAsync(
                    (m, o) => m.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, o), idempotent: true, "revoke a lease", ct);
            }
            catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
            {
                // Revoking an unknown (expired, already revoked) lease does nothing.
            }

            return true;
        }, cancellationToken);

    public async ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ThrowIfDisposed();
        if (revision == 0)
        {
            return; // Store revision 0 holds no change; never compact etcd history from before the origin.
        }

        await RunAsync(async ct =>
        {
            try
            {
                await _members.CallAsync(
                    (m, o) => m.Kv.CompactAsync(new CompactionRequest { Revision = _keys.ToEtcd(revision) }, o), idempotent: true, "compact", ct);
            }
            catch (RpcException e) when (EtcdErrors.IsCompacted(e))
            {
                // At or below an earlier compaction: nothing to do.
            }
            catch (RpcException e) when (EtcdErrors.IsFutureRevision(e))
            {
                throw new ArgumentOutOfRangeException(nameof(revision), revision, "Cannot compact beyond the current revision.");
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>Ends every watch (they complete normally), fails calls in flight, and closes the connections. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Calls already submitted finish (each is bounded by the request timeout); then watches end.
        await _calls.CloseAsync();
        await _closing.CancelAsync();
        _members.Dispose();
        _closing.Dispose();
    }

    /// <summary>Runs one call of the public surface: refused once closing began, awaited by <see cref="DisposeAsync"/>.</summary>
    private async ValueTask<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(!_calls.TryEnter(), this);

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return await call(cancellationToken);
        }
        finally
        {
            _calls.Exit();
        }
    }

    private static ByteString AfterKey(ByteString key)
    {
        var bytes = new byte[key.Length + 1];
        key.Span.CopyTo(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static int ByteStringCompare(ByteString a, ByteString b) => a.Span.SequenceCompareTo(b.Span);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
