namespace Portolan.Proxy.Http2.Hpack;

/// <summary>Outcome of decoding one header block; each maps to a different HTTP/2 error.</summary>
internal enum DecodeStatus
{
    /// <summary>The whole block was decoded and every field passed to the sink.</summary>
    Success,

    /// <summary>
    /// Malformed HPACK (RFC 7541): a connection error of type COMPRESSION_ERROR (GOAWAY), since the dynamic table can
    /// no longer be trusted. Nothing more is decoded; fields already passed to the sink must be dropped.
    /// </summary>
    CompressionError,

    /// <summary>
    /// The decoded header list exceeds the decoder's limit (name + value + 32 per field, RFC 9113 §6.5.2), or one name
    /// or value exceeds the string limit. The block was still decoded to its end, so the dynamic table stays in step
    /// with the peer's: a stream error (431 or RST_STREAM), the connection goes on. Fields from the one that crossed
    /// the limit on were not passed to the sink.
    /// </summary>
    HeaderListTooLarge,

    /// <summary>
    /// A field name holds an uppercase letter (RFC 9113 §8.2.1): a malformed message, a stream error of type
    /// PROTOCOL_ERROR. The block was decoded to its end (the table stays in step); fields from that one on were not
    /// passed to the sink.
    /// </summary>
    UppercaseName,
}
