namespace Portolan.Proxy.Http1.Parsing;

/// <summary>
/// Finds the end of a chunked body (RFC 9112 §7.1) fed in pieces split anywhere. The caller forwards the bytes
/// verbatim; this only tracks where the body ends. Chunk data is skipped by arithmetic, so a large chunk costs
/// nothing per byte. Strict: chunk-size is hex digits only, an extension must start with ';' (after optional
/// SP/HTAB) and holds no CTLs, every line ends with CRLF; a size line (digits and extensions) over 4 KiB, a chunk
/// over 2^62 bytes or a trailer section over 64 KiB fails.
/// </summary>
internal struct ChunkedBodyScanner
{
    public const long MaxChunkSize = 1L << 62;
    public const int MaxSizeLine = 4 * 1024;
    public const int MaxTrailerSection = 64 * 1024;

    private enum State : byte
    {
        SizeStart, Size, ExtensionStart, Extension, SizeLf, Data, DataCr, DataLf,
        TrailerLineStart, TrailerLine, TrailerLf, FinalLf, Done, Failed,
    }

    private State _state;
    private long _remaining;
    private int _lineBytes; // the size line so far, or the whole trailer section so far

    public readonly bool Done => _state == State.Done;
    public readonly bool Failed => _state == State.Failed;

    public void Reset() => this = default;

    /// <summary>
    /// Consumes <paramref name="data"/> and returns how many of its bytes belong to the body: all of them until the
    /// body ends, then the offset just past its final CRLF (and <see cref="Done"/> is set). On malformed input sets
    /// <see cref="Failed"/> and returns the offset of the offending byte. Returns 0 once done or failed.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            var b = data[i];
            switch (_state)
            {
                case State.SizeStart:
                    var first = HexValue(b);
                    if (first < 0) return Fail(i);
                    _remaining = first;
                    _lineBytes = 1;
                    _state = State.Size;
                    i++;
                    break;
                case State.Size:
                    var digit = HexValue(b);
                    if (digit >= 0)
                    {
                        if (_remaining > MaxChunkSize >> 4) return Fail(i);
                        _remaining = (_remaining << 4) + digit;
                        if (_remaining > MaxChunkSize || ++_lineBytes > MaxSizeLine) return Fail(i);
                        i++;
                    }
                    else if (b == '\r') { _state = State.SizeLf; i++; }
                    else if (b is (byte)';' or (byte)' ' or (byte)'\t') _state = State.ExtensionStart;
                    else return Fail(i);
                    break;
                case State.ExtensionStart: // BWS ";"
                    if (++_lineBytes > MaxSizeLine) return Fail(i);
                    if (b == ';') _state = State.Extension;
                    else if (b is not ((byte)' ' or (byte)'\t')) return Fail(i);
                    i++;
                    break;
                case State.Extension:
                    var run = data[i..].IndexOfAnyExcept(HttpSyntax.FieldValue);
                    var taken = run < 0 ? data.Length - i : run;
                    _lineBytes += taken;
                    if (_lineBytes > MaxSizeLine) return Fail(i);
                    i += taken;
                    if (run < 0) break;
                    if (data[i] != '\r') return Fail(i);
                    _state = State.SizeLf;
                    i++;
                    break;
                case State.SizeLf:
                    if (b != '\n') return Fail(i);
                    _lineBytes = 0;
                    _state = _remaining == 0 ? State.TrailerLineStart : State.Data;
                    i++;
                    break;
                case State.Data:
                    var skip = (int)Math.Min(_remaining, data.Length - i);
                    _remaining -= skip;
                    i += skip;
                    if (_remaining == 0) _state = State.DataCr;
                    break;
                case State.DataCr:
                    if (b != '\r') return Fail(i);
                    _state = State.DataLf;
                    i++;
                    break;
                case State.DataLf:
                    if (b != '\n') return Fail(i);
                    _state = State.SizeStart;
                    i++;
                    break;
                case State.TrailerLineStart:
                    if (b == '\r') { _state = State.FinalLf; i++; }
                    else _state = State.TrailerLine;
                    break;
                case State.TrailerLine:
                    var end = data[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    var length = end < 0 ? data.Length - i : end;
                    _lineBytes += length;
                    if (_lineBytes > MaxTrailerSection) return Fail(i);
                    i += length;
                    if (end < 0) break;
                    if (data[i] != '\r') return Fail(i); // bare LF
                    _state = State.TrailerLf;
                    i++;
                    break;
                case State.TrailerLf:
                    if (b != '\n' || (_lineBytes += 2) > MaxTrailerSection) return Fail(i);
                    _state = State.TrailerLineStart;
                    i++;
                    break;
                case State.FinalLf:
                    if (b != '\n') return Fail(i);
                    _state = State.Done;
                    return i + 1;
                default: // Done or Failed
                    return 0;
            }
        }
        return i;
    }

    private int Fail(int at)
    {
        _state = State.Failed;
        return at;
    }

    private static int HexValue(byte b)
    {
        var digit = b - '0';
        if ((uint)digit <= 9) return digit;
        var letter = (b | 0x20) - 'a';
        return (uint)letter <= 5 ? letter + 10 : -1;
    }
}
