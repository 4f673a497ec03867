using System.Text;

namespace Portolan.Proxy.Http1.Parsing;

/// <summary>
/// Parses the field lines after a start line up to the empty line, and notes the fields that frame or steer the
/// message. Shared by <see cref="RequestHead"/> and <see cref="ResponseHead"/>, which decide what to accept.
/// Reused per message: the only array grows on demand up to <see cref="MaxFields"/> and is kept.
/// </summary>
internal sealed class HeaderSection
{
    /// <summary>More field lines than this is unusual (Kestrel's default limit is 100): Unsupported.</summary>
    public const int MaxFields = 100;

    private HeaderRange[] _fields = new HeaderRange[16];
    private int _count;

    public ReadOnlySpan<HeaderRange> Fields => _fields.AsSpan(0, _count);

    /// <summary>Offset just past the empty line that ends the head.</summary>
    public int End { get; private set; }

    public long ContentLength { get; private set; }
    /// <summary>Content-Length appeared more than once or was not a plain decimal.</summary>
    public bool ContentLengthInvalid { get; private set; }
    public bool HasTransferEncoding { get; private set; }
    /// <summary>Transfer-Encoding appeared more than once or was something other than exactly "chunked".</summary>
    public bool TransferEncodingInvalid { get; private set; }
    public int HostCount { get; private set; }
    /// <summary>Index in <see cref="Fields"/> of the (first) Host field, -1 if none.</summary>
    public int HostIndex { get; private set; }
    public bool ConnectionClose { get; private set; }
    public bool ConnectionKeepAlive { get; private set; }
    /// <summary>A Connection token other than close/keep-alive: it names hop-by-hop fields (or asks for an upgrade).</summary>
    public bool ConnectionOtherTokens { get; private set; }
    public bool HasUpgrade { get; private set; }
    public bool HasExpect { get; private set; }

    /// <summary>Parses field lines from <paramref name="start"/>; the head (counted from offset 0) must fit in <paramref name="maxHead"/>.</summary>
    public HeadParseStatus Parse(ReadOnlySpan<byte> buffer, int start, int maxHead)
    {
        Reset();
        var limit = Math.Min(buffer.Length, maxHead);
        var pos = start;
        while (true)
        {
            var lf = pos < limit ? buffer[pos..limit].IndexOf((byte)'\n') : -1;
            if (lf < 0) return buffer.Length >= maxHead ? HeadParseStatus.TooLarge : HeadParseStatus.Incomplete;
            lf += pos;
            if (lf == pos || buffer[lf - 1] != '\r') return HeadParseStatus.Unsupported; // bare LF
            var lineEnd = lf - 1;
            if (lineEnd == pos)
            {
                End = lf + 1;
                return HeadParseStatus.Complete;
            }
            if (!AddField(buffer, pos, lineEnd)) return HeadParseStatus.Unsupported;
            pos = lf + 1;
        }
    }

    public int Find(ReadOnlySpan<byte> buffer, ReadOnlySpan<char> name, int occurrence)
    {
        for (var i = 0; i < _count; i++)
        {
            ref readonly var field = ref _fields[i];
            if (Ascii.EqualsIgnoreCase(field.Name(buffer), name) && occurrence-- == 0) return i;
        }
        return -1;
    }

    public int Find(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> name, int occurrence)
    {
        for (var i = 0; i < _count; i++)
        {
            ref readonly var field = ref _fields[i];
            if (Ascii.EqualsIgnoreCase(field.Name(buffer), name) && occurrence-- == 0) return i;
        }
        return -1;
    }

    private void Reset()
    {
        _count = 0;
        End = 0;
        ContentLength = -1;
        ContentLengthInvalid = HasTransferEncoding = TransferEncodingInvalid = false;
        HostCount = 0;
        HostIndex = -1;
        ConnectionClose = ConnectionKeepAlive = ConnectionOtherTokens = HasUpgrade = HasExpect = false;
    }

    private bool AddField(ReadOnlySpan<byte> buffer, int start, int end)
    {
        var line = buffer[start..end];
        if (line[0] is (byte)' ' or (byte)'\t') return false; // obs-fold
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !HttpSyntax.IsToken(line[..colon])) return false; // also rejects "Name :"
        var (valueStart, valueLength) = HttpSyntax.Trim(buffer, start + colon + 1, end);
        var value = buffer.Slice(valueStart, valueLength);
        if (value.ContainsAnyExcept(HttpSyntax.FieldValue)) return false;
        if (_count == MaxFields) return false;
        if (_count == _fields.Length) Array.Resize(ref _fields, Math.Min(_fields.Length * 2, MaxFields));
        _fields[_count] = new HeaderRange { NameStart = start, NameLength = colon, ValueStart = valueStart, ValueLength = valueLength };
        Note(line[..colon], value);
        _count++;
        return true;
    }

    /// <summary>Records the fields that matter for framing and hand-off; a switch on length keeps it to one compare.</summary>
    private void Note(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "host"u8):
                if (HostCount++ == 0) HostIndex = _count;
                break;
            case 6 when Ascii.EqualsIgnoreCase(name, "expect"u8):
                HasExpect = true;
                break;
            case 7 when Ascii.EqualsIgnoreCase(name, "upgrade"u8):
                HasUpgrade = true;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "connection"u8):
                NoteConnection(value);
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                if (ContentLength >= 0 || ContentLengthInvalid) ContentLengthInvalid = true;
                else if ((ContentLength = HttpSyntax.ParseDecimal(value)) < 0) ContentLengthInvalid = true;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                TransferEncodingInvalid |= HasTransferEncoding || !Ascii.EqualsIgnoreCase(value, "chunked"u8);
                HasTransferEncoding = true;
                break;
        }
    }

    private void NoteConnection(ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            if (token.IsEmpty) continue;
            if (Ascii.EqualsIgnoreCase(token, "close"u8)) ConnectionClose = true;
            else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8)) ConnectionKeepAlive = true;
            else ConnectionOtherTokens = true;
        }
    }
}
