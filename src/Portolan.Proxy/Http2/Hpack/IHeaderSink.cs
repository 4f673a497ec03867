namespace Portolan.Proxy.Http2.Hpack;

/// <summary>Receives the fields of a header block as <see cref="HpackDecoder"/> decodes them, in order.</summary>
internal interface IHeaderSink
{
    /// <summary>
    /// One field. The spans point into the block, the decoder's scratch buffers or its dynamic table: they are valid
    /// only during this call. <paramref name="neverIndexed"/> is set for a literal never indexed (RFC 7541 §6.2.3),
    /// which an intermediary must forward the same way.
    /// </summary>
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed);
}
