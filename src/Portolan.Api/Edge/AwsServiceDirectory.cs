using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Portolan.Api.Edge;

/// <summary>
/// The services registered on the edge, indexed the two ways a request names one (WIRE.md §1): the
/// <c>X-Amz-Target</c> prefix for JSON services and the form's <c>Version</c> for Query services. Lookups take
/// spans so that routing a request does not allocate.
/// </summary>
internal sealed class AwsServiceDirectory
{
    private readonly FrozenDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byTargetPrefix;
    private readonly FrozenDictionary<string, Entry> _byQueryVersion;

    public AwsServiceDirectory(IEnumerable<IAwsService> services)
    {
        var byPrefix = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var byVersion = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var all = new List<IAwsService>();
        foreach (var service in services)
        {
            all.Add(service);
            var entry = new Entry(service);
            if (service.JsonTargetPrefix is { Length: > 0 } prefix && !byPrefix.TryAdd(prefix, entry))
            {
                throw new InvalidOperationException($"Two AWS services registered the X-Amz-Target prefix '{prefix}'.");
            }

            if (service.QueryVersion is { Length: > 0 } version && !byVersion.TryAdd(version, entry))
            {
                // The form carries only Action and Version, so two Query services with one Version could not be told apart.
                throw new InvalidOperationException($"Two AWS services registered the Query version '{version}'.");
            }
        }

        Services = all;
        _byTargetPrefix = byPrefix.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _byQueryVersion = byVersion.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IReadOnlyList<IAwsService> Services { get; }

    public bool TryGetByTargetPrefix(ReadOnlySpan<char> prefix, out Entry entry) =>
        _byTargetPrefix.TryGetValue(prefix, out entry!);

    public bool TryGetByQueryVersion(string version, out Entry entry) =>
        _byQueryVersion.TryGetValue(version, out entry!);

    /// <summary>
    /// A registered service plus a cache of its operation names, so that the operation string taken from
    /// <c>X-Amz-Target</c> is allocated once per distinct name instead of once per request.
    /// </summary>
    internal sealed class Entry(IAwsService service)
    {
        // Bounded so that a client sending endless made-up operation names cannot grow memory; past the bound names
        // are simply allocated per request.
        private const int MaxCachedOperations = 512;

        private readonly ConcurrentDictionary<string, string> _operations = new(StringComparer.Ordinal);

        public IAwsService Service { get; } = service;

        public string OperationName(ReadOnlySpan<char> name)
        {
            var lookup = _operations.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(name, out var cached))
            {
                return cached;
            }

            var created = name.ToString();
            if (_operations.Count < MaxCachedOperations)
            {
                _operations.TryAdd(created, created);
            }

            return created;
        }
    }
}
