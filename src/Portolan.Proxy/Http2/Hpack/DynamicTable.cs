namespace Portolan.Proxy.Http2.Hpack;

/// <summary>
/// HPACK's dynamic table (RFC 7541 §2.3.2, §4) without an allocation per entry. Entries are added newest-last and
/// evicted oldest-first, so their bytes always form one contiguous run of a buffer twice the maximum size: new bytes go
/// after the run, and when they do not fit the run is moved to the front (at most once per maximum size of bytes added).
/// </summary>
internal sealed class DynamicTable
{
    /// <summary>Per-entry overhead counted in the table size (RFC 7541 §4.1).</summary>
    public const int EntryOverhead = 32;

    private readonly Entry[] _entries; // ring; _newest is the newest entry's slot
    private readonly byte[] _bytes;
    private int _newest;
    private int _start; // the live entries' bytes are _bytes[_start.._end]
    private int _end;

    public DynamicTable(int maxCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCapacity);
        MaxCapacity = maxCapacity;
        Capacity = maxCapacity;
        _entries = new Entry[maxCapacity / EntryOverhead + 1];
        _bytes = new byte[2 * maxCapacity];
    }

    /// <summary>The largest capacity a size update may set (our SETTINGS_HEADER_TABLE_SIZE).</summary>
    public int MaxCapacity { get; }

    /// <summary>The current maximum size, as the last size update set it.</summary>
    public int Capacity { get; private set; }

    /// <summary>The sum of the entries' sizes (name + value + 32 each).</summary>
    public int Size { get; private set; }

    public int Count { get; private set; }

    /// <summary>The entry at <paramref name="index"/>, 1 being the newest; false when there is none.</summary>
    public bool TryGet(int index, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if ((uint)(index - 1) >= (uint)Count)
        {
            name = value = default;
            return false;
        }
        var slot = _newest - (index - 1);
        if (slot < 0) slot += _entries.Length;
        ref readonly var entry = ref _entries[slot];
        name = _bytes.AsSpan(entry.Offset, entry.NameLength);
        value = _bytes.AsSpan(entry.Offset + entry.NameLength, entry.ValueLength);
        return true;
    }

    /// <summary>Applies a size update (the caller has checked it against <see cref="MaxCapacity"/>).</summary>
    public void SetCapacity(int capacity)
    {
        Capacity = capacity;
        EvictUntil(capacity);
    }

    /// <summary>
    /// Adds an entry, evicting the oldest ones to make room; an entry larger than the capacity empties the table
    /// (RFC 7541 §4.4). <paramref name="name"/> and <paramref name="value"/> must not point into this table.
    /// </summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var size = (long)name.Length + value.Length + EntryOverhead;
        if (size > Capacity)
        {
            Clear();
            return;
        }
        EvictUntil(Capacity - (int)size);
        var length = name.Length + value.Length;
        if (_end + length > _bytes.Length) Compact();

        _newest = _newest + 1 == _entries.Length ? 0 : _newest + 1;
        _entries[_newest] = new Entry(_end, name.Length, value.Length);
        name.CopyTo(_bytes.AsSpan(_end));
        value.CopyTo(_bytes.AsSpan(_end + name.Length));
        _end += length;
        Count++;
        Size += (int)size;
    }

    public void Clear()
    {
        Count = 0;
        Size = 0;
        _start = _end = 0;
    }

    private void EvictUntil(int size)
    {
        while (Size > size)
        {
            var slot = _newest - (Count - 1);
            if (slot < 0) slot += _entries.Length;
            ref readonly var oldest = ref _entries[slot];
            Size -= oldest.NameLength + oldest.ValueLength + EntryOverhead;
            _start = oldest.Offset + oldest.NameLength + oldest.ValueLength;
            Count--;
        }
        if (Count == 0) _start = _end = 0;
    }

    // The live bytes are at most the capacity minus what the new entry needs, so after this it fits.
    private void Compact()
    {
        _bytes.AsSpan(_start, _end - _start).CopyTo(_bytes);
        for (var i = 0; i < Count; i++)
        {
            var slot = _newest - i;
            if (slot < 0) slot += _entries.Length;
            _entries[slot].Offset -= _start;
        }
        _end -= _start;
        _start = 0;
    }

    private struct Entry(int offset, int nameLength, int valueLength)
    {
        public int Offset = offset;
        public readonly int NameLength = nameLength;
        public readonly int ValueLength = valueLength;
    }
}
