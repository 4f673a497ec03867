using System.Buffers.Binary;

namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// The pairs of a validated SETTINGS payload, in order (§6.5.3: apply them in the order they appear), read in place:
/// <c>foreach (var setting in settings)</c>.
/// </summary>
internal ref struct SettingsEnumerator
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _offset;

    public SettingsEnumerator(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        _offset = -Setting.Size;
    }

    public readonly int Count => _payload.Length / Setting.Size;

    public readonly Setting Current => Read(_payload[_offset..]);

    public readonly SettingsEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_offset + Setting.Size >= _payload.Length) return false;
        _offset += Setting.Size;
        return true;
    }

    internal static Setting Read(ReadOnlySpan<byte> pair) =>
        new((SettingId)BinaryPrimitives.ReadUInt16BigEndian(pair), BinaryPrimitives.ReadUInt32BigEndian(pair[2..]));
}
