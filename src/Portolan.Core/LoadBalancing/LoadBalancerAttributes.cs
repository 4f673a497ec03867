using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Application load balancer attribute keys and AWS's defaults (API LoadBalancerAttribute). Access logs go to S3 on
/// AWS; Portolan stores and echoes those keys but does not ship logs anywhere.
/// </summary>
public static class LoadBalancerAttributes
{
    public const string DeletionProtection = "deletion_protection.enabled";
    public const string IdleTimeout = "idle_timeout.timeout_seconds";
    public const string ClientKeepAlive = "client_keep_alive.seconds";
    public const string Http2Enabled = "routing.http2.enabled";
    public const string DesyncMitigationMode = "routing.http.desync_mitigation_mode";
    public const string DropInvalidHeaderFields = "routing.http.drop_invalid_header_fields.enabled";
    public const string PreserveHostHeader = "routing.http.preserve_host_header.enabled";
    public const string XffClientPort = "routing.http.xff_client_port.enabled";
    public const string XffHeaderProcessingMode = "routing.http.xff_header_processing.mode";
    public const string TlsVersionAndCipherHeaders = "routing.http.x_amzn_tls_version_and_cipher_suite.enabled";
    public const string WafFailOpen = "waf.fail_open.enabled";
    public const string AccessLogsEnabled = "access_logs.s3.enabled";
    public const string AccessLogsBucket = "access_logs.s3.bucket";
    public const string AccessLogsPrefix = "access_logs.s3.prefix";

    private static readonly FrozenDictionary<string, AttributeRule> Rules = new AttributeRule[]
    {
        AttributeRule.Bool(DeletionProtection, false),
        AttributeRule.Int(IdleTimeout, 60, 1, 4000),
        AttributeRule.Int(ClientKeepAlive, 3600, 60, 604800),
        AttributeRule.Bool(Http2Enabled, true),
        AttributeRule.OneOf(DesyncMitigationMode, "defensive", "monitor", "defensive", "strictest"),
        AttributeRule.Bool(DropInvalidHeaderFields, false),
        AttributeRule.Bool(PreserveHostHeader, false),
        AttributeRule.Bool(XffClientPort, false),
        AttributeRule.OneOf(XffHeaderProcessingMode, "append", "append", "preserve", "remove"),
        AttributeRule.Bool(TlsVersionAndCipherHeaders, false),
        AttributeRule.Bool(WafFailOpen, false),
        AttributeRule.Bool(AccessLogsEnabled, false),
        AttributeRule.Text(AccessLogsBucket, "", 255),
        AttributeRule.Text(AccessLogsPrefix, "", 1024),
    }.ToFrozenDictionary(r => r.Key, StringComparer.Ordinal);

    public static ImmutableSortedDictionary<string, string> Defaults { get; } = AttributeRule.Defaults(Rules.Values);

    /// <summary>Applies changes as ModifyLoadBalancerAttributes does (ValidationError on an unknown key or a bad value).</summary>
    public static ImmutableSortedDictionary<string, string> Apply(
        ImmutableSortedDictionary<string, string> current, IReadOnlyList<KeyValuePair<string, string?>> changes)
    {
        var next = AttributeRule.Apply(Rules, current, changes, "Load balancer");
        if (next[AccessLogsEnabled] == "true" && next[AccessLogsBucket].Length == 0)
            throw ElbErrors.InvalidConfiguration("The value of 'access_logs.s3.bucket' cannot be empty when access logs are enabled");
        return next;
    }

    /// <summary>How long an idle client connection is kept (1–4000 s, default 60).</summary>
    public static TimeSpan IdleTimeoutOf(LoadBalancerRecord lb) =>
        TimeSpan.FromSeconds(AttributeRule.IntOf(lb.Attributes, IdleTimeout, 60));

    /// <summary>Whether HTTP/2 is offered to clients (default true).</summary>
    public static bool Http2EnabledOf(LoadBalancerRecord lb) => lb.Attributes.GetValueOrDefault(Http2Enabled) != "false";
}
