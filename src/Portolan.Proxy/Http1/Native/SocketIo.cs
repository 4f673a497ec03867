namespace Portolan.Proxy.Http1.Native;

/// <summary>Non-blocking receive and send into <see cref="IoBuffer"/>s, with nginx's rule for edge-triggered readiness.</summary>
internal static unsafe class SocketIo
{
    /// <summary>Would block: nothing now, wait for the next edge.</summary>
    public const int WouldBlock = -1;

    /// <summary>The connection failed (reset, broken pipe, …).</summary>
    public const int Failed = -2;

    /// <summary>
    /// Receives into the buffer's free space. A read that returns less than asked means the socket is drained, so
    /// <paramref name="readable"/> is cleared without the extra call that would return EAGAIN.
    /// </summary>
    /// <returns>Bytes read; 0 at end of stream; <see cref="WouldBlock"/>; <see cref="Failed"/>.</returns>
    public static int Receive(int fd, ref IoBuffer buffer, ref bool readable)
    {
        var free = buffer.Free;
        nint n;
        fixed (byte* p = buffer.Array) n = Libc.recv(fd, p + buffer.End, free, 0);
        if (n > 0)
        {
            buffer.End += (int)n;
            if (n < free) readable = false;
            return (int)n;
        }
        if (n == 0) return 0;
        var errno = Libc.Errno;
        if (errno == Libc.EAGAIN || errno == Libc.EINTR)
        {
            if (errno == Libc.EAGAIN) readable = false;
            return WouldBlock;
        }
        return Failed;
    }

    /// <summary>Sends what the buffer holds; a short send clears <paramref name="writable"/>.</summary>
    /// <returns>Bytes sent; <see cref="WouldBlock"/>; <see cref="Failed"/>.</returns>
    public static int Send(int fd, ref IoBuffer buffer, ref bool writable)
    {
        var n = Send(fd, buffer.Data, ref writable);
        if (n > 0) buffer.Consume(n);
        return n;
    }

    /// <summary>Sends <paramref name="data"/>, leaving the caller to account for what went; a short send clears <paramref name="writable"/>.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> data, ref bool writable)
    {
        nint n;
        fixed (byte* p = data) n = Libc.send(fd, p, data.Length, Libc.MSG_NOSIGNAL);
        if (n >= 0)
        {
            if (n < data.Length) writable = false;
            return (int)n;
        }
        var errno = Libc.Errno;
        if (errno == Libc.EAGAIN || errno == Libc.EINTR)
        {
            if (errno == Libc.EAGAIN) writable = false;
            return WouldBlock;
        }
        return Failed;
    }
}
