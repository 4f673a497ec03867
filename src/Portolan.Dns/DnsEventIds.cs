namespace Portolan.Dns;

/// <summary>Stable log event ids of Portolan.Dns. Never reuse a number; mark retired ones <c>// Reserved</c>.</summary>
internal static class DnsEventIds
{
    public const int Listening = 3001;
    public const int Stopped = 3002;
    public const int ZoneViewBuilt = 3003;
    public const int ZoneViewBuildFailed = 3004;
    public const int RequestFailed = 3005;
    public const int UdpReceiveFailed = 3006;
    public const int TcpConnectionRefused = 3007;
    public const int TcpAcceptFailed = 3008;
    public const int NotServed = 3009;
    public const int UpstreamFailed = 3010;
    public const int ForwardsExhausted = 3011;
    public const int UdpBatchReceiveFailed = 3012;
    public const int UdpRepliesDropped = 3013;
}
