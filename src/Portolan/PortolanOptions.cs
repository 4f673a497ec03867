namespace Portolan;

/// <summary>Everything <c>portolan serve</c> is configured with. Defaults are what a user gets with no flags (DESIGN.md).</summary>
public sealed record PortolanOptions
{
    /// <summary>
    /// 7766: unprivileged, not LocalStack's 4566 (people run both side by side), and not a port any common
    /// developer tool or database claims.
    /// </summary>
    public const int DefaultApiPort = 7766;

    /// <summary>7753, "53" in the same family as the API port; DNS can be moved to 53 with <c>--dns</c>.</summary>
    public const int DefaultDnsPort = 7753;

    public const string DefaultDataDir = ".portolan";
    public const string DefaultRegion = "us-east-1";
    public const string DefaultAccount = "000000000000";

    /// <summary>Where the SQLite file and other local state live; created on start.</summary>
    public string DataDir { get; init; } = DefaultDataDir;

    /// <summary>
    /// Where the AWS API edge listens. An endpoint on 127.0.0.1 or <c>localhost</c> is also bound on [::1] at the
    /// same port, so that <c>portolan.localhost</c> (resolved IPv6-first by libnss-myhostname) reaches it too.
    /// </summary>
    public IReadOnlyList<HostPort> ApiEndpoints { get; init; } = [new HostPort("127.0.0.1", DefaultApiPort)];

    /// <summary>What <see cref="DnsEndpoint"/> is unless <c>--dns</c> says otherwise.</summary>
    public static readonly HostPort DefaultDnsEndpoint = new("127.0.0.1", DefaultDnsPort);

    /// <summary>
    /// Where the DNS server answers (UDP and TCP, same port; port 0 picks a free one; <c>localhost</c> means
    /// 127.0.0.1). If the default address is taken, the server starts without DNS and warns; an address given
    /// explicitly must bind.
    /// </summary>
    public HostPort DnsEndpoint { get; init; } = DefaultDnsEndpoint;

    /// <summary>
    /// Upstream resolvers (<c>--dns-forward</c>, repeatable) for names outside Portolan's zones, tried in order.
    /// Empty (the default): such names are REFUSED, so Portolan is never an open resolver.
    /// </summary>
    public IReadOnlyList<HostPort> DnsForwarders { get; init; } = [];

    /// <summary><c>sqlite:PATH</c> or <c>etcd://host:port,host:port</c>; null means <c>sqlite:&lt;data-dir&gt;/portolan.db</c>.</summary>
    public string? Store { get; init; }

    public string Region { get; init; } = DefaultRegion;

    public string Account { get; init; } = DefaultAccount;

    /// <summary>An access-key file (see <c>Portolan.Api.Auth.AccessKeyStore</c>); null accepts any credentials.</summary>
    public string? AuthFile { get; init; }

    /// <summary>
    /// Reject what AWS rejects where Portolan would otherwise do more (e.g. HealthCheckConfig in private DNS
    /// namespaces) and apply AWS's quotas: for testing scripts that must also pass on AWS.
    /// </summary>
    public bool StrictAws { get; init; }

    /// <summary>How log lines on stderr look: <see cref="LogFormat.Text"/> (one line each, for people) or <see cref="LogFormat.Json"/> (one JSON object per line, for collectors).</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>
    /// How often instances of Cloud Map services with HealthCheckConfig are probed (<c>--health-interval</c>); AWS's
    /// Route 53 checkers use 30 s. A service attribute <c>portolan:health-check-interval</c> overrides it per service.
    /// </summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This node's name in the cluster (<c>--node-name</c>); unique among the nodes sharing a store. Null means
    /// <c>HOSTNAME-APIPORT</c>, unique for several nodes on one machine and stable across restarts on a fixed port.
    /// </summary>
    public string? NodeName { get; init; }

    /// <summary>
    /// The address this node's ECS tasks are registered at in Cloud Map and target groups (<c>--task-address</c>), given
    /// to their processes as <c>PORTOLAN_HOST_ADDRESS</c>. Null means 127.0.0.1; a cluster over several hosts sets each
    /// node's own address, since any node may answer DNS for, or proxy to, another node's tasks.
    /// </summary>
    public string? TaskAddress { get; init; }

    /// <summary>The store URI in effect: <see cref="Store"/> or the SQLite file in <see cref="DataDir"/>.</summary>
    public string StoreUri => Store ?? $"sqlite:{Path.Combine(DataDir, "portolan.db")}";
}

/// <summary>The <c>--log-format</c> of <c>portolan serve</c>.</summary>
public enum LogFormat
{
    /// <summary><c>HH:mm:ss level: Category[EventId] message</c>, one line per entry.</summary>
    Text,

    /// <summary>
    /// Microsoft.Extensions.Logging's JSON console format, one object per line: Timestamp (UTC, ISO 8601), EventId,
    /// LogLevel, Category, Message, State (the message's named values) and Exception when there is one.
    /// </summary>
    Json,
}
