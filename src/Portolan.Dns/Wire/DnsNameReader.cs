namespace Portolan.Dns.Wire;

/// <summary>Reads possibly-compressed names (RFC 1035 §4.1.4) out of a message, defensively.</summary>
internal static class DnsNameReader
{
    /// <summary>
    /// Reads the name at <paramref name="start"/> into <paramref name="destination"/> (at least 255 octets) in
    /// uncompressed wire form, keeping its case. <paramref name="end"/> is the offset just past the name where it
    /// appears (past the first pointer, if any). A pointer must point strictly before the run of labels it ends,
    /// and not into the header: offsets then shrink on every hop, so no packet can make this loop, and the hop
    /// cap bounds the work.
    /// </summary>
    public static NameReadStatus TryRead(ReadOnlySpan<byte> message, int start, Span<byte> destination, out int nameLength, out int end)
    {
        nameLength = 0;
        end = -1;
        var pos = start;
        var runStart = start;
        var written = 0;
        var hops = 0;
        while (true)
        {
            if ((uint)pos >= (uint)message.Length) return NameReadStatus.Truncated;
            var length = message[pos];
            switch (length & 0xC0)
            {
                case 0x00:
                    if (length == 0)
                    {
                        destination[written++] = 0;
                        if (end < 0) end = pos + 1;
                        nameLength = written;
                        return NameReadStatus.Ok;
                    }

                    if (pos + 1 + length > message.Length) return NameReadStatus.Truncated;
                    // Room for this label and the root octet after it.
                    if (written + 1 + length + 1 > DnsLimits.MaxNameLength) return NameReadStatus.TooLong;
                    message.Slice(pos, 1 + length).CopyTo(destination[written..]);
                    written += 1 + length;
                    pos += 1 + length;
                    break;
                case 0xC0:
                    if (pos + 1 >= message.Length) return NameReadStatus.Truncated;
                    var target = ((length & 0x3F) << 8) | message[pos + 1];
                    if (end < 0) end = pos + 2;
                    if (target >= runStart || target < DnsLimits.HeaderSize) return NameReadStatus.BadPointer;
                    if (++hops > DnsLimits.MaxPointerHops) return NameReadStatus.TooManyHops;
                    pos = runStart = target;
                    break;
                default:
                    return NameReadStatus.BadLabelType;
            }
        }
    }
}
