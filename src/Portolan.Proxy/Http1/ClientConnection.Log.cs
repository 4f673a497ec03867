using System.Diagnostics;
using Portolan.Proxy.Observability;

namespace Portolan.Proxy.Http1;

/// <summary>What is recorded of each request: counters, the duration metric and the access log line.</summary>
internal sealed partial class ClientConnection
{
    private int _rulePriority;
    private string _actions = "";
    private string? _errorReason;
    private string? _redirectUrl;
    private string? _targetCookieLine;
    private string? _groupCookieLine;
    private string? _appCookieName;
    private string? _traceIdText;
    private int _status;
    private int _targetStatus;
    private long _targetStartTimestamp;
    private long _targetEndTimestamp;
    private long _requestBytes;
    private long _responseBytes;

    private void Record(int status)
    {
        var elapsed = Stopwatch.GetElapsedTime(_requestStartTimestamp);
        var runtime = _listener.Runtime;
        runtime.Counters.Record(status, elapsed);
        _group?.Counters.Record(_targetStatus != 0 ? _targetStatus : status, elapsed);
        _listener.Metrics.RecordDuration(runtime.Counters, elapsed);
        if (_listener.AccessLog.Enabled) _listener.AccessLog.Write(ToEntry(status));
    }

    private void ClearExchange()
    {
        _group = null;
        _target = null;
        _pool = null;
        _up = null;
        _retain = false;
        _upSent = 0;
        _targetCookieLine = _groupCookieLine = _appCookieName = null;
        _errorReason = _redirectUrl = null;
        _actions = "";
        _rulePriority = -1;
        _traceIdText = null;
        _status = _targetStatus = 0;
        _targetStartTimestamp = _targetEndTimestamp = 0;
        _requestBytes = _responseBytes = 0;
        _responseFraming = BodyFraming.None;
    }

    /// <summary>The ALB access log entry (built only when the log is on: it allocates the request's strings).</summary>
    private AccessLogEntry ToEntry(int status)
    {
        var reached = _targetStartTimestamp != 0;
        string? userAgent = TryGetHeader("User-Agent", 0, out var ua) ? ua.ToString() : null;
        return new AccessLogEntry
        {
            Type = "http",
            Received = _received,
            Completed = _listener.Time.GetUtcNow(),
            LoadBalancer = _listener.Runtime.LoadBalancerName,
            ClientAddress = ClientAddress,
            ClientPort = _remote?.Port ?? 0,
            Target = _target?.Key,
            RequestProcessingTime = reached ? Stopwatch.GetElapsedTime(_requestStartTimestamp, _targetStartTimestamp).TotalSeconds : -1,
            TargetProcessingTime = reached && _targetEndTimestamp != 0 ? Stopwatch.GetElapsedTime(_targetStartTimestamp, _targetEndTimestamp).TotalSeconds : -1,
            ElbStatus = status,
            TargetStatus = _targetStatus,
            ReceivedBytes = _requestBytes,
            SentBytes = _responseBytes,
            Method = Method.ToString(),
            Scheme = "http",
            Host = Host.ToString(),
            Port = _listener.LocalPort,
            Path = Path.ToString(),
            Query = _head.Query.Length > 0 ? "?" + Query.ToString() : null,
            Protocol = "HTTP/1.1",
            UserAgent = userAgent,
            TargetGroup = _group?.Id,
            TraceId = _traceIdText,
            MatchedRulePriority = _rulePriority,
            Actions = _actions,
            RedirectUrl = _redirectUrl,
            ErrorReason = _errorReason,
        };
    }
}
