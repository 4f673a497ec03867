using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portolan.Proxy.Tests.Http1;

/// <summary>A client on a plain socket, so a test controls every byte it sends and sees every byte it gets.</summary>
internal sealed class RawClient : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly RawConnection _connection;

    private RawClient(Socket socket) => _connection = new RawConnection(socket);

    public Socket Socket => _connection.Socket;

    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0) socket.ReceiveBufferSize = receiveBuffer; // before connect: it caps the TCP window
        await socket.ConnectAsync(endPoint);
        return new RawClient(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (!bytes.IsEmpty)
        {
            var n = await Socket.SendAsync(bytes, bound.Token);
            bytes = bytes[n..];
        }
    }

    /// <summary>Reads one response; 1xx responses come back as their own (call again for the final one).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false)
    {
        using var bound = new CancellationTokenSource(Bound);
        var ct = bound.Token;
        var headBytes = await _connection.ReadHeadAsync(ct) ?? throw new IOException("The proxy closed the connection before a response.");
        var head = Encoding.Latin1.GetString(headBytes);
        var status = int.Parse(head.AsSpan(9, 3));
        var response = new RawResponse(head, status);
        if (status < 200 || status is 204 or 304 || headRequest) return response;

        if (response.Header("Transfer-Encoding") is { } te)
        {
            Assert.Equal("chunked", te);
            using var body = new MemoryStream();
            using var raw = new MemoryStream();
            while (true)
            {
                var line = await _connection.ReadLineAsync(ct);
                raw.Write(line);
                var size = Convert.ToInt32(Encoding.Latin1.GetString(line).TrimEnd().Split(';')[0], 16);
                if (size == 0) break;
                var data = await _connection.ReadExactAsync(size + 2, ct);
                raw.Write(data);
                body.Write(data, 0, size);
            }
            var trailers = new StringBuilder();
            while (true)
            {
                var line = await _connection.ReadLineAsync(ct);
                raw.Write(line);
                if (line.Length == 2) break;
                trailers.Append(Encoding.Latin1.GetString(line));
            }
            return response with { Body = body.ToArray(), RawBody = raw.ToArray(), Trailers = trailers.ToString() };
        }
        if (response.Header("Content-Length") is { } length)
        {
            var body = await _connection.ReadExactAsync(int.Parse(length), ct);
            return response with { Body = body, RawBody = body };
        }
        var (rest, reset) = await _connection.ReadToEndAsync(ct);
        Assert.False(reset, "A close-delimited body must end with a FIN, not a reset.");
        return response with { Body = rest, RawBody = rest, EndedWithClose = true };
    }

    /// <summary>The final response, with the 1xx ones before it.</summary>
    public async Task<(List<RawResponse> Interim, RawResponse Final)> ReadFinalResponseAsync()
    {
        var interim = new List<RawResponse>();
        while (true)
        {
            var response = await ReadResponseAsync();
            if (response.Status >= 200) return (interim, response);
            interim.Add(response);
        }
    }

    /// <summary>Whatever comes until the proxy closes the connection (bounded); <c>Reset</c> when it ended with a reset.</summary>
    public async Task<(byte[] Bytes, bool Reset)> ReadToEndAsync()
    {
        using var bound = new CancellationTokenSource(Bound);
        return await _connection.ReadToEndAsync(bound.Token);
    }

    public async Task<byte[]> ReadExactAsync(int count)
    {
        using var bound = new CancellationTokenSource(Bound);
        return await _connection.ReadExactAsync(count, bound.Token);
    }

    public void Dispose() => Socket.Dispose();
}

internal sealed record RawResponse(string Head, int Status)
{
    public byte[] Body { get; init; } = [];

    /// <summary>The body as framed on the wire (chunk sizes and trailers included).</summary>
    public byte[] RawBody { get; init; } = [];

    public string Trailers { get; init; } = "";

    public bool EndedWithClose { get; init; }

    public string Text => Encoding.Latin1.GetString(Body);

    public string? Header(string name) => Headers(name).FirstOrDefault();

    public IEnumerable<string> Headers(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) yield return line[(colon + 1)..].Trim();
        }
    }
}
