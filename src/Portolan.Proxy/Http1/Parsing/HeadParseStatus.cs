namespace Portolan.Proxy.Http1.Parsing;

/// <summary>Outcome of parsing a request or response head.</summary>
internal enum HeadParseStatus
{
    /// <summary>The head has not fully arrived yet (and is still within the limits): read more.</summary>
    Incomplete,
    /// <summary>The head is complete and well-formed; its length and fields are set.</summary>
    Complete,
    /// <summary>Malformed or unusual: the fast path does not handle it (requests go to the slow path, responses get 502).</summary>
    Unsupported,
    /// <summary>The request line or the head exceeds the limit it was given.</summary>
    TooLarge,
}
