using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Portolan.Dns.Server;

/// <summary>
/// Linux's recvmmsg/sendmmsg for one receive loop: up to <see cref="Capacity"/> datagrams in one system call each
/// way. Under load a loop takes every query waiting in the socket at once and sends every reply at once, instead
/// of two system calls per query. All memory (datagram buffers, peer addresses, the kernel's header arrays) is
/// pinned and allocated once, so a batch allocates nothing.
/// </summary>
internal sealed class MessageBatch
{
    /// <summary>A whole UDP datagram always fits: a client can't make us read half a message.</summary>
    private const int ReceiveSize = 65535;

    /// <summary>sizeof(struct sockaddr_storage): room for any peer address.</summary>
    private const int AddressSize = 128;

    private const int MsgWaitForOne = 0x10000;
    private const int Eintr = 4;

    private readonly byte[] _receive;
    private readonly byte[] _send;
    private readonly byte[] _addresses;
    // The kernel reaches these through the headers' pointers only: the fields keep them alive.
    private readonly IoVec[] _receiveIov;
    private readonly IoVec[] _sendIov;
    private readonly MMsgHdr[] _in;
    private readonly MMsgHdr[] _out;
    private readonly int _sendSize;
    private int _pending;

    public MessageBatch(int capacity, int sendSize)
    {
        Capacity = capacity;
        _sendSize = sendSize;
        _receive = GC.AllocateUninitializedArray<byte>(capacity * ReceiveSize, pinned: true);
        _send = GC.AllocateUninitializedArray<byte>(capacity * sendSize, pinned: true);
        _addresses = GC.AllocateArray<byte>(capacity * AddressSize, pinned: true);
        var receiveIov = _receiveIov = GC.AllocateArray<IoVec>(capacity, pinned: true);
        var sendIov = _sendIov = GC.AllocateArray<IoVec>(capacity, pinned: true);
        _in = GC.AllocateArray<MMsgHdr>(capacity, pinned: true);
        _out = GC.AllocateArray<MMsgHdr>(capacity, pinned: true);
        for (var i = 0; i < capacity; i++)
        {
            receiveIov[i] = new IoVec { Base = Marshal.UnsafeAddrOfPinnedArrayElement(_receive, i * ReceiveSize), Length = ReceiveSize };
            sendIov[i] = new IoVec { Base = Marshal.UnsafeAddrOfPinnedArrayElement(_send, i * sendSize), Length = (nuint)sendSize };
            _in[i].Header.Iov = Marshal.UnsafeAddrOfPinnedArrayElement(receiveIov, i);
            _in[i].Header.IovLength = 1;
            _in[i].Header.Name = Marshal.UnsafeAddrOfPinnedArrayElement(_addresses, i * AddressSize);
            _out[i].Header.Iov = Marshal.UnsafeAddrOfPinnedArrayElement(sendIov, i);
            _out[i].Header.IovLength = 1;
        }
    }

    public int Capacity { get; }

    /// <summary>
    /// Blocks until at least one datagram arrives, then takes every waiting one up to <see cref="Capacity"/>.
    /// Returns how many, or -1 with the errno in <paramref name="error"/> (EINTR is retried).
    /// </summary>
    public int Receive(SafeHandle socket, out int error)
    {
        _pending = 0;
        for (var i = 0; i < Capacity; i++) _in[i].Header.NameLength = AddressSize;
        while (true)
        {
            var received = RecvMMsg(socket, Marshal.UnsafeAddrOfPinnedArrayElement(_in, 0), (uint)Capacity, MsgWaitForOne, 0);
            error = received < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (received >= 0 || error != Eintr) return received;
        }
    }

    /// <summary>The <paramref name="index"/>th received datagram.</summary>
    public Span<byte> Request(int index) => _receive.AsSpan(index * ReceiveSize, (int)_in[index].Length);

    /// <summary>The <paramref name="index"/>th datagram's sender, in the kernel's sockaddr form.</summary>
    public ReadOnlySpan<byte> Peer(int index) => _addresses.AsSpan(index * AddressSize, (int)_in[index].Header.NameLength);

    /// <summary>The buffer for the next reply (of <see cref="Add"/>).</summary>
    public Span<byte> NextReply => _send.AsSpan(_pending * _sendSize, _sendSize);

    /// <summary>Queues the reply written to <see cref="NextReply"/> for the sender of datagram <paramref name="index"/>.</summary>
    public void Add(int index, int length)
    {
        _out[_pending].Header.Name = _in[index].Header.Name;
        _out[_pending].Header.NameLength = _in[index].Header.NameLength;
        _sendIov[_pending].Length = (nuint)length;
        _pending++;
    }

    /// <summary>
    /// Sends every queued reply. A reply the kernel refuses (the peer's address unroutable, say) is skipped, as a
    /// failed sendto would lose it; returns how many were dropped so.
    /// </summary>
    public int Send(SafeHandle socket)
    {
        var dropped = 0;
        var sent = 0;
        while (sent < _pending)
        {
            var n = SendMMsg(socket, Marshal.UnsafeAddrOfPinnedArrayElement(_out, sent), (uint)(_pending - sent), 0);
            if (n > 0)
            {
                sent += n;
            }
            else if (n < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
                continue;
            }
            else
            {
                sent++;
                dropped++;
            }
        }

        _pending = 0;
        return dropped;
    }

    // The headers are pinned arrays, so plain addresses go across. The SafeHandle keeps the socket open for the
    // call: disposing it meanwhile makes .NET unblock the call (as for its own blocking calls) before closing.
    [DllImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static extern int RecvMMsg(SafeHandle socket, nint messages, uint count, int flags, nint timeout);

    [DllImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static extern int SendMMsg(SafeHandle socket, nint messages, uint count, int flags);

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (LP64 and ILP32 alike: pointer-sized fields where C has pointers and size_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr: a message header and the number of octets the kernel moved.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
