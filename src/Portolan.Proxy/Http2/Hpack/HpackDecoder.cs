namespace Portolan.Proxy.Http2.Hpack;

/// <summary>
/// Decodes HPACK header blocks (RFC 7541) for one direction of one HTTP/2 connection; the dynamic table carries over
/// from block to block. Strict: anything malformed is <see cref="DecodeStatus.CompressionError"/>, never an exception.
/// Plain strings are passed to the sink as slices of the block; Huffman strings are decoded into two scratch buffers
/// (name, value) that grow to the largest string seen, up to the string limit, so steady-state decoding allocates
/// nothing.
/// </summary>
internal sealed class HpackDecoder
{
    public const int DefaultMaxTableSize = 4096; // RFC 9113's initial SETTINGS_HEADER_TABLE_SIZE
    public const int DefaultMaxHeaderListSize = 64 * 1024; // what the HTTP/1.1 path answers 431 above

    private readonly DynamicTable _table;
    private readonly int _maxHeaderListSize;
    private readonly int _maxStringLength;
    private byte[] _nameScratch = new byte[64];
    private byte[] _valueScratch = new byte[256];

    /// <param name="maxTableSize">The SETTINGS_HEADER_TABLE_SIZE we advertise: the most a size update may set.</param>
    /// <param name="maxHeaderListSize">The most the decoded fields may total (name + value + 32 each).</param>
    /// <param name="maxStringLength">
    /// The longest decoded name or value; at least <paramref name="maxTableSize"/>, so a string over it would empty
    /// the table anyway and can be skipped without losing step with the peer. Defaults to the header-list limit.
    /// </param>
    public HpackDecoder(int maxTableSize = DefaultMaxTableSize, int maxHeaderListSize = DefaultMaxHeaderListSize, int maxStringLength = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeaderListSize);
        if (maxStringLength < 0) maxStringLength = Math.Max(maxHeaderListSize, maxTableSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStringLength, maxTableSize);
        _table = new DynamicTable(maxTableSize);
        _maxHeaderListSize = maxHeaderListSize;
        _maxStringLength = maxStringLength;
    }

    /// <summary>The SETTINGS_HEADER_TABLE_SIZE this decoder was given.</summary>
    public int MaxTableSize => _table.MaxCapacity;

    /// <summary>The dynamic table's current maximum size (after the peer's size updates).</summary>
    public int TableCapacity => _table.Capacity;

    /// <summary>The dynamic table's current size (RFC 7541 §4.1).</summary>
    public int TableSize => _table.Size;

    public int TableCount => _table.Count;

    /// <summary>
    /// Decodes one complete header block (HEADERS and its CONTINUATION fragments joined), passing each field to
    /// <paramref name="sink"/> in order. See <see cref="DecodeStatus"/> for what each outcome means to the caller.
    /// </summary>
    public DecodeStatus Decode(ReadOnlySpan<byte> block, IHeaderSink sink)
    {
        var status = DecodeStatus.Success;
        long listSize = 0;
        var pos = 0;
        var fieldSeen = false;
        while (pos < block.Length)
        {
            var first = block[pos];
            ReadOnlySpan<byte> name, value;
            int nameIndex;
            var neverIndexed = false;
            if ((first & 0x80) != 0) // indexed field (§6.1)
            {
                if (!HpackInteger.TryDecode(block, ref pos, 7, out nameIndex)
                    || !TryGetIndexed(nameIndex, out name, out value)) return DecodeStatus.CompressionError;
            }
            else if ((first & 0x40) != 0) // literal with incremental indexing (§6.2.1)
            {
                var literal = ReadLiteral(block, ref pos, 6, out nameIndex, out name, out value);
                if (literal == StringResult.Malformed) return DecodeStatus.CompressionError;
                if (literal == StringResult.TooLong)
                {
                    _table.Clear(); // the entry is larger than the table can be (§4.4)
                    if (status == DecodeStatus.Success) status = DecodeStatus.HeaderListTooLarge;
                    fieldSeen = true;
                    continue;
                }
                if (nameIndex > StaticTable.Count)
                {
                    // Adding may evict the entry the name lives in, or move it: copy it out first (§4.4).
                    name.CopyTo(_nameScratch = Reserve(_nameScratch, name.Length));
                    name = _nameScratch.AsSpan(0, name.Length);
                }
                _table.Add(name, value);
            }
            else if ((first & 0x20) != 0) // dynamic table size update (§6.3), only before the first field (§4.2)
            {
                if (fieldSeen
                    || !HpackInteger.TryDecode(block, ref pos, 5, out var size)
                    || size > _table.MaxCapacity) return DecodeStatus.CompressionError;
                _table.SetCapacity(size);
                continue;
            }
            else // literal without indexing (§6.2.2) or never indexed (§6.2.3)
            {
                neverIndexed = (first & 0x10) != 0;
                var literal = ReadLiteral(block, ref pos, 4, out nameIndex, out name, out value);
                if (literal == StringResult.Malformed) return DecodeStatus.CompressionError;
                if (literal == StringResult.TooLong)
                {
                    if (status == DecodeStatus.Success) status = DecodeStatus.HeaderListTooLarge;
                    fieldSeen = true;
                    continue;
                }
            }
            fieldSeen = true;

            // After a stream-level failure, keep decoding (the table must stay in step) but stop delivering.
            if (status != DecodeStatus.Success) continue;
            listSize += name.Length + value.Length + DynamicTable.EntryOverhead;
            if (listSize > _maxHeaderListSize) status = DecodeStatus.HeaderListTooLarge;
            else if ((uint)(nameIndex - 1) >= StaticTable.Count && name.ContainsAnyInRange((byte)'A', (byte)'Z'))
                status = DecodeStatus.UppercaseName;
            else sink.OnHeader(name, value, neverIndexed);
        }
        return status;
    }

    private bool TryGetIndexed(int index, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (index == 0)
        {
            name = value = default;
            return false;
        }
        if (index <= StaticTable.Count)
        {
            name = StaticTable.Name(index);
            value = StaticTable.Value(index);
            return true;
        }
        return _table.TryGet(index - StaticTable.Count, out name, out value);
    }

    private enum StringResult { Ok, TooLong, Malformed }

    // A literal field after its first byte's pattern: name index in the prefix (0: a literal name follows), value.
    // nameIndex is 0 for a literal name.
    private StringResult ReadLiteral(
        ReadOnlySpan<byte> block, scoped ref int pos, int prefixBits, out int nameIndex, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!HpackInteger.TryDecode(block, ref pos, prefixBits, out nameIndex))
        {
            name = default;
            return StringResult.Malformed;
        }
        StringResult nameResult;
        if (nameIndex == 0) nameResult = ReadString(block, ref pos, ref _nameScratch, out name);
        else nameResult = TryGetIndexed(nameIndex, out name, out _) ? StringResult.Ok : StringResult.Malformed;
        if (nameResult == StringResult.Malformed) return nameResult;
        var valueResult = ReadString(block, ref pos, ref _valueScratch, out value);
        return valueResult == StringResult.Ok ? nameResult : valueResult;
    }

    // A string literal (§5.2): H bit, length with a 7-bit prefix, the bytes. Plain strings are slices of the block.
    private StringResult ReadString(ReadOnlySpan<byte> block, scoped ref int pos, ref byte[] scratch, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (pos >= block.Length) return StringResult.Malformed;
        var huffman = (block[pos] & 0x80) != 0;
        if (!HpackInteger.TryDecode(block, ref pos, 7, out var length) || length > block.Length - pos) return StringResult.Malformed;
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            text = raw;
            return length > _maxStringLength ? StringResult.TooLong : StringResult.Ok;
        }
        // Every code is at least 5 bits, so this bounds the decoded length.
        var bound = (int)Math.Min(length * 8L / 5, _maxStringLength);
        scratch = Reserve(scratch, bound);
        var decoded = Huffman.Decode(raw, scratch.AsSpan(0, bound));
        if (decoded == Huffman.Malformed) return StringResult.Malformed;
        if (decoded == Huffman.TooLong) return StringResult.TooLong;
        text = scratch.AsSpan(0, decoded);
        return StringResult.Ok;
    }

    private byte[] Reserve(byte[] scratch, int length) =>
        length <= scratch.Length ? scratch : new byte[Math.Min(Math.Max(length, 2 * scratch.Length), Math.Max(length, _maxStringLength))];
}
