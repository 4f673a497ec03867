using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portolan.Proxy.Observability;

/// <summary>
/// ALB-style access logging, off unless <see cref="ProxyOptions.AccessLogPath"/> or
/// <see cref="ProxyOptions.AccessLogToLogger"/> is set. Requests only enqueue an entry into a bounded queue; one
/// background writer formats and writes (a file, flushed when the queue runs dry, or the logger). When the
/// writer falls behind, entries are dropped and counted rather than slowing traffic.
/// </summary>
internal sealed partial class AccessLog : IAsyncDisposable
{
    private readonly Channel<AccessLogEntry>? _queue;
    private readonly Task? _writer;
    private readonly ILogger _logger;
    private long _dropped;

    public AccessLog(IOptions<ProxyOptions> options, ILogger<AccessLog> logger)
    {
        _logger = logger;
        var o = options.Value;
        if (o.AccessLogPath is null && !o.AccessLogToLogger) return;
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(65536)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        }, _ => Interlocked.Increment(ref _dropped));
        _writer = Task.Run(() => WriteAsync(o.AccessLogPath));
    }

    public bool Enabled => _queue is not null;

    /// <summary>Entries lost because the writer could not keep up.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public void Write(in AccessLogEntry entry) => _queue?.Writer.TryWrite(entry);

    public async ValueTask DisposeAsync()
    {
        if (_queue is null) return;
        _queue.Writer.TryComplete();
        await _writer!;
    }

    private async Task WriteAsync(string? path)
    {
        var reader = _queue!.Reader;
        var line = new StringBuilder(512);
        StreamWriter? file = null;
        try
        {
            if (path is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 65536), new UTF8Encoding(false));
            }

            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var entry))
                {
                    line.Clear();
                    AccessLogFormatter.Append(line, entry);
                    if (file is not null) file.WriteLine(line);
                    else LogLine(_logger, line.ToString());
                }
                if (file is not null) await file.FlushAsync();
            }
        }
        catch (Exception e)
        {
            LogWriterFailed(_logger, e);
        }
        finally
        {
            if (file is not null) await file.DisposeAsync();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "{Line}", EventName = "AccessLog")]
    private static partial void LogLine(ILogger logger, string line);

    [LoggerMessage(2, LogLevel.Error, "The access log writer stopped; no more access log lines will be written.", EventName = "AccessLogFailed")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);
}
