using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Portolan.Api.Edge;

/// <summary>
/// A request body read once into an array rented from the shared pool. The CLI always sends Content-Length
/// (WIRE.md §2), so the usual case is one rent of the exact size and one read; chunked bodies grow geometrically.
/// </summary>
internal struct RequestBody : IDisposable
{
    private byte[]? _array;

    public int Length { get; private set; }

    /// <summary>The body was larger than allowed and was not (fully) read.</summary>
    public bool TooLarge { get; private set; }

    public readonly ReadOnlyMemory<byte> Memory => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, Length);

    public static async ValueTask<RequestBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var body = new RequestBody();
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            body.TooLarge = true;
            return body;
        }

        if (declared == 0)
        {
            return body;
        }

        var initial = declared is { } exact ? (int)exact : 4096;
        body._array = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 1));
        try
        {
            if (declared is { } expected)
            {
                body.Length = await request.Body.ReadAtLeastAsync(
                    body._array.AsMemory(0, (int)expected), (int)expected, throwOnEndOfStream: false, cancellationToken);
                return body;
            }

            // Read at most one byte past the limit: enough to know the body is too large, never more.
            var limit = maxBytes + 1;
            while (true)
            {
                if (body.Length > maxBytes)
                {
                    body.TooLarge = true;
                    return body;
                }

                if (body.Length == Math.Min(body._array.Length, limit))
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(body._array.Length * 2, limit));
                    body._array.AsSpan(0, body.Length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(body._array);
                    body._array = bigger;
                }

                var room = Math.Min(body._array.Length, limit) - body.Length;
                var read = await request.Body.ReadAsync(body._array.AsMemory(body.Length, room), cancellationToken);
                if (read == 0)
                {
                    return body;
                }

                body.Length += read;
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        Length = 0;
    }
}
