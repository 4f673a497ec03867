using System.Net;
using System.Net.Sockets;

namespace Portolan.Proxy.Http1.Native;

/// <summary>Native sockaddr bytes to and from <see cref="IPEndPoint"/> (Linux layout, as <see cref="SocketAddress"/> holds it).</summary>
internal static class SocketAddresses
{
    public static byte[] ToNative(IPEndPoint endPoint) => endPoint.Serialize().Buffer.ToArray();

    public static IPEndPoint? FromNative(ReadOnlySpan<byte> native, int length)
    {
        var family = (AddressFamily)BitConverter.ToUInt16(native);
        if (family != AddressFamily.InterNetwork && family != AddressFamily.InterNetworkV6) return null;
        var address = new SocketAddress(family, length);
        native[..length].CopyTo(address.Buffer.Span);
        return (IPEndPoint)new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(address);
    }
}
