namespace Portolan.Dns.Wire;

/// <summary>The outcome of reading a name from a message; anything but <see cref="Ok"/> makes the message malformed.</summary>
internal enum NameReadStatus
{
    Ok,

    /// <summary>The message ends inside the name.</summary>
    Truncated,

    /// <summary>A label type other than a plain label or a pointer (0x40 extended, 0x80 reserved).</summary>
    BadLabelType,

    /// <summary>The expanded name would exceed 255 octets.</summary>
    TooLong,

    /// <summary>A pointer into the header, forwards, or back into the labels it is reached from (a loop).</summary>
    BadPointer,

    /// <summary>More than <see cref="DnsLimits.MaxPointerHops"/> pointers.</summary>
    TooManyHops,
}
