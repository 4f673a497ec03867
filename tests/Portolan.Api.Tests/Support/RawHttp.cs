using System.Net.Sockets;
using System.Text;

namespace Portolan.Api.Tests.Support;

/// <summary>
/// Sends request bytes verbatim over TCP and reads one response. HttpClient cannot send an absolute-form request
/// line to a server that is not a proxy, nor replay a captured request byte for byte; this can.
/// </summary>
internal static class RawHttp
{
    public static async Task<RawResponse> SendAsync(Uri endpoint, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host.Trim('[', ']'), endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);

        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                throw new IOException($"Connection closed before the response headers ended: {Encoding.ASCII.GetString(buffer.ToArray())}");
            }

            buffer.Write(chunk, 0, read);
        }

        var head = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headerEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var length = int.Parse(headers.First(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value,
            System.Globalization.CultureInfo.InvariantCulture);
        while (buffer.Length < headerEnd + 4 + length)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                throw new IOException("Connection closed before the response body ended.");
            }

            buffer.Write(chunk, 0, read);
        }

        return new RawResponse(status, headers, Encoding.UTF8.GetString(buffer.GetBuffer(), headerEnd + 4, length));
    }
}

internal sealed record RawResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
