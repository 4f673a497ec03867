using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portolan.Proxy.Tests.Http1;

/// <summary>
/// A target that speaks HTTP/1.1 by hand: a listener on 127.0.0.1:0 that reads each request head itself and lets the
/// test's handler write whatever bytes it likes — well-formed or not, framed or not — and close or reset when it
/// likes. Every request head it read is kept, byte for byte, so tests can check exactly what the proxy sent.
/// </summary>
internal sealed class RawTarget : IAsyncDisposable
{
    /// <summary>Answers one request; returns whether the connection stays open for another.</summary>
    public delegate Task<bool> Handler(RawExchange exchange);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Handler _handler;
    private readonly Task _accepting;
    private int _connections;

    public RawTarget(Handler handler)
    {
        _handler = handler;
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every request head read, in arrival order.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    public CancellationToken Stopping => _stop.Token;

    /// <summary>The head of the request whose target is <paramref name="target"/> (the test makes it unique).</summary>
    public string HeadFor(string target) =>
        Heads.Single(h => h.StartsWith($"GET {target} ", StringComparison.Ordinal) || h.StartsWith($"POST {target} ", StringComparison.Ordinal));

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _sockets.Add(socket);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var connection = new RawConnection(socket);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var head = await connection.ReadHeadAsync(_stop.Token);
                if (head is null) break;
                Heads.Enqueue(Encoding.Latin1.GetString(head));
                var exchange = new RawExchange(connection, head, _stop.Token);
                if (!await _handler(exchange)) break;
                await exchange.SkipBodyAsync();
            }
        }
        catch (Exception)
        {
            // Peer reset, test ended, or the handler cut the connection on purpose.
        }
        finally
        {
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets) socket.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>One request as the raw target got it, and the means to answer it.</summary>
internal sealed class RawExchange(RawConnection connection, byte[] head, CancellationToken stopping)
{
    private bool _bodyRead;

    public string Head { get; } = Encoding.Latin1.GetString(head);
    public string Method => Head[..Head.IndexOf(' ')];
    public string Target => Head.Split(' ')[1];
    public string Path => Target.Split('?')[0];
    public string Query => Target.Contains('?') ? Target[(Target.IndexOf('?') + 1)..] : "";
    public Socket Socket => connection.Socket;
    public CancellationToken Stopping => stopping;

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    public long ContentLength => long.TryParse(Header("Content-Length"), out var length) ? length : 0;
    public bool Chunked => Header("Transfer-Encoding")?.Equals("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public Task WriteAsync(string text) => WriteAsync(Encoding.Latin1.GetBytes(text));

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes) => await connection.Socket.SendAsync(bytes, stopping);

    /// <summary>The whole body as it came on the wire (a chunked body with its sizes, extensions and trailers).</summary>
    public async Task<byte[]> ReadBodyAsync()
    {
        _bodyRead = true;
        using var body = new MemoryStream();
        if (Chunked)
        {
            while (true)
            {
                var line = await connection.ReadLineAsync(stopping);
                body.Write(line);
                var text = Encoding.Latin1.GetString(line).TrimEnd();
                var size = Convert.ToInt32(text.Split(';')[0], 16);
                if (size == 0) break;
                body.Write(await connection.ReadExactAsync(size + 2, stopping));
            }
            while (true)
            {
                var trailer = await connection.ReadLineAsync(stopping);
                body.Write(trailer);
                if (trailer.Length == 2) break;
            }
        }
        else
        {
            body.Write(await connection.ReadExactAsync(checked((int)ContentLength), stopping));
        }
        return body.ToArray();
    }

    /// <summary>Streams a Content-Length body as it arrives.</summary>
    public async Task ReadBodyAsync(Func<ReadOnlyMemory<byte>, Task> piece)
    {
        _bodyRead = true;
        var left = ContentLength;
        var buffer = new byte[64 * 1024];
        while (left > 0)
        {
            var n = await connection.ReadSomeAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), stopping);
            if (n == 0) throw new IOException("The body ended early.");
            left -= n;
            await piece(buffer.AsMemory(0, n));
        }
    }

    public async Task SkipBodyAsync()
    {
        if (!_bodyRead && (Chunked || ContentLength > 0)) await ReadBodyAsync();
    }

    /// <summary>Closes with a TCP reset (SO_LINGER 0) instead of a FIN.</summary>
    public void Reset()
    {
        connection.Socket.LingerState = new LingerOption(true, 0);
        connection.Socket.Close();
    }
}

/// <summary>Buffered reads of HTTP/1.1 framing off a socket: heads, lines, exact counts, or whatever is there.</summary>
internal sealed class RawConnection(Socket socket)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public Socket Socket { get; } = socket;

    public int Buffered => _end - _start;

    /// <summary>A head up to and including its empty line; null when the peer closed before sending one.</summary>
    public async Task<byte[]?> ReadHeadAsync(CancellationToken ct)
    {
        var searched = 0;
        while (true)
        {
            var found = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf("\r\n\r\n"u8);
            if (found >= 0) return Take(searched + found + 4);
            searched = Math.Max(0, _end - _start - 3);
            if (await FillAsync(ct) == 0)
            {
                if (_end == _start) return null;
                throw new IOException("The connection closed inside a head.");
            }
        }
    }

    public async Task<byte[]> ReadLineAsync(CancellationToken ct)
    {
        var searched = 0;
        while (true)
        {
            var found = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf("\r\n"u8);
            if (found >= 0) return Take(searched + found + 2);
            searched = Math.Max(0, _end - _start - 1);
            if (await FillAsync(ct) == 0) throw new IOException("The connection closed inside a line.");
        }
    }

    public async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        var done = 0;
        while (done < count)
        {
            var n = await ReadSomeAsync(result.AsMemory(done), ct);
            if (n == 0) throw new IOException($"The connection closed after {done} of {count} bytes.");
            done += n;
        }
        return result;
    }

    /// <summary>Buffered bytes first, then the socket; 0 at the end of the stream.</summary>
    public async Task<int> ReadSomeAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_end > _start)
        {
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }
        return await Socket.ReceiveAsync(destination, ct);
    }

    /// <summary>Everything until the peer closes (or resets: then what came before it, and <paramref name="reset"/> set).</summary>
    public async Task<(byte[] Bytes, bool Reset)> ReadToEndAsync(CancellationToken ct)
    {
        using var all = new MemoryStream();
        all.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        var chunk = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await Socket.ReceiveAsync(chunk, ct)) > 0) all.Write(chunk, 0, n);
        }
        catch (SocketException)
        {
            return (all.ToArray(), true);
        }
        return (all.ToArray(), false);
    }

    private byte[] Take(int count)
    {
        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    private async Task<int> FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var n = await Socket.ReceiveAsync(_buffer.AsMemory(_end), ct);
        _end += n;
        return n;
    }
}
