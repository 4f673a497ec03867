namespace Portolan.Storage.Etcd;

/// <summary>Where the etcd cluster is and how <see cref="EtcdStore"/> talks to it.</summary>
public sealed class EtcdStoreOptions
{
    /// <summary>The default <see cref="Namespace"/>: every Portolan key lives under <c>/portolan/</c>.</summary>
    public const string DefaultNamespace = "/portolan";

    /// <summary>Client URLs of the cluster's members, e.g. <c>http://10.0.0.1:2379</c>; at least one.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [];

    /// <summary>
    /// The etcd key prefix this store owns: data under <c>{Namespace}/data</c>, the revision origin at
    /// <c>{Namespace}/meta/origin</c>. Two Portolan clusters can share one etcd cluster with different namespaces.
    /// </summary>
    /// <remarks>Defaults to <c>/portolan</c>.</remarks>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>
    /// How long one request may take, retries on other members included, before the store reports
    /// <see cref="StoreUnavailableException"/>. Longer than an etcd leader election (about 1 s by default).
    /// </summary>
    /// <remarks>Defaults to 10 s.</remarks>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for a TCP connection to one member before trying the next.</summary>
    /// <remarks>Defaults to 2 s: on a LAN a live member answers in milliseconds.</remarks>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Keys read per request when a range is read in pages (all pages at one revision).</summary>
    /// <remarks>Defaults to 1000, well under gRPC's message size limit for Portolan's small values.</remarks>
    public int RangePageSize { get; init; } = 1000;

    internal void Validate()
    {
        if (Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one etcd endpoint is needed.", nameof(Endpoints));
        }

        foreach (var endpoint in Endpoints)
        {
            if (endpoint.Scheme is not ("http" or "https") || endpoint.Port <= 0)
            {
                throw new ArgumentException($"'{endpoint}' is not an etcd client URL (http://host:port).", nameof(Endpoints));
            }
        }

        if (!Namespace.StartsWith('/') || Namespace.EndsWith('/') || Namespace.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The namespace '{Namespace}' must start with '/' and not end with one.", nameof(Namespace));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(RangePageSize, 1, nameof(RangePageSize));
    }

    /// <summary>
    /// Parses <c>etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE]</c> (the form <c>portolan serve --store</c> takes). A host
    /// without a port gets 2379; IPv6 hosts are bracketed (<c>[::1]:2379</c>).
    /// </summary>
    /// <exception cref="FormatException">The URI is not of that form.</exception>
    public static EtcdStoreOptions Parse(string uri)
    {
        const string Scheme = "etcd://";
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal) || uri.Length == Scheme.Length)
        {
            throw new FormatException($"'{uri}' is not an etcd store URI (etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE]).");
        }

        var rest = uri[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hosts = slash < 0 ? rest : rest[..slash];
        var ns = slash < 0 || slash == rest.Length - 1 ? DefaultNamespace : rest[slash..].TrimEnd('/');

        var endpoints = new List<Uri>();
        foreach (var part in hosts.Split(',', StringSplitOptions.TrimEntries))
        {
            var withPort = HasPort(part) ? part : part + ":2379";
            if (part.Length == 0 || !Uri.TryCreate("http://" + withPort, UriKind.Absolute, out var endpoint)
                || endpoint.AbsolutePath != "/" || !string.IsNullOrEmpty(endpoint.UserInfo) || endpoint.Port is <= 0 or > 65535)
            {
                throw new FormatException($"'{part}' in '{uri}' is not HOST:PORT.");
            }

            endpoints.Add(endpoint);
        }

        var options = new EtcdStoreOptions { Endpoints = endpoints, Namespace = ns };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }

        return options;
    }

    private static bool HasPort(string hostPort) =>
        hostPort.StartsWith('[') ? hostPort.Contains("]:", StringComparison.Ordinal) : hostPort.Contains(':', StringComparison.Ordinal);
}
