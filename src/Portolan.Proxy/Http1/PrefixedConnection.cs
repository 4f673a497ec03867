using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Portolan.Proxy.Http1;

/// <summary>
/// A connection handed to Kestrel after the fast path already read some of it: Kestrel reads
/// <paramref name="prefix"/> (the unanswered request) first, then the socket. Only requests the fast path does not
/// forward itself take this road, so the extra copy through a pipe is not on the hot path.
/// </summary>
internal sealed class PrefixedConnection : ConnectionContext
{
    private readonly ConnectionContext _inner;
    private readonly Pipe _pipe = new();

    public PrefixedConnection(ConnectionContext inner, byte[] prefix)
    {
        _inner = inner;
        Transport = new DuplexPipe(_pipe.Reader, inner.Transport.Output);
        _ = PumpAsync(prefix);
    }

    public override IDuplexPipe Transport { get; set; }
    public override string ConnectionId { get => _inner.ConnectionId; set => _inner.ConnectionId = value; }
    public override IFeatureCollection Features => _inner.Features;
    public override IDictionary<object, object?> Items { get => _inner.Items; set => _inner.Items = value; }
    public override EndPoint? LocalEndPoint { get => _inner.LocalEndPoint; set => _inner.LocalEndPoint = value; }
    public override EndPoint? RemoteEndPoint { get => _inner.RemoteEndPoint; set => _inner.RemoteEndPoint = value; }
    public override CancellationToken ConnectionClosed { get => _inner.ConnectionClosed; set => _inner.ConnectionClosed = value; }

    public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);

#pragma warning disable CA2215 // the inner connection is the one that holds (and releases) everything
    public override ValueTask DisposeAsync() => _inner.DisposeAsync();
#pragma warning restore CA2215

    private async Task PumpAsync(byte[] prefix)
    {
        var input = _inner.Transport.Input;
        try
        {
            await _pipe.Writer.WriteAsync(prefix);
            while (true)
            {
                var result = await input.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    var flush = await _pipe.Writer.WriteAsync(segment);
                    if (flush.IsCompleted) return; // Kestrel stopped reading
                }
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
            await _pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await _pipe.Writer.CompleteAsync(e);
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
