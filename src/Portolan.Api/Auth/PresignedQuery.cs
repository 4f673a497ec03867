using System.Globalization;
using Portolan.Api.Edge;

namespace Portolan.Api.Auth;

/// <summary>
/// The SigV4 parameters of a presigned URL (<c>?X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=...</c>). The
/// CLI never presigns these APIs, but SDKs can, and reading them costs little once the header form works.
/// </summary>
internal sealed class PresignedQuery
{
    // AWS caps presigned URLs at seven days.
    private const int MaxExpiresSeconds = 7 * 24 * 3600;

    public string Credential { get; private set; } = "";
    public string Date { get; private set; } = "";
    public string SignedHeaders { get; private set; } = "";
    public string Signature { get; private set; } = "";
    public TimeSpan Expires { get; private set; } = TimeSpan.FromSeconds(MaxExpiresSeconds);

    /// <summary>Set when the query is a presigned one but unusable; the request then fails as an incomplete signature.</summary>
    public string? Error { get; private set; }

    /// <summary>False when the target has no <c>X-Amz-Algorithm</c> parameter, i.e. it is not presigned at all.</summary>
    public static bool TryRead(string rawTarget, out PresignedQuery query)
    {
        query = new PresignedQuery();
        CanonicalRequest.SplitTarget(rawTarget, out _, out var raw);
        if (raw.IndexOf("X-Amz-Algorithm=", StringComparison.Ordinal) < 0)
        {
            return false;
        }

        string? algorithm = null, expires = null;
        byte[]? scratch = null;
        foreach (var range in raw.Split('&'))
        {
            var pair = raw[range];
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var value = Decode(pair[(eq + 1)..], ref scratch);
            switch (pair[..eq])
            {
                case "X-Amz-Algorithm": algorithm = value; break;
                case "X-Amz-Credential": query.Credential = value; break;
                case "X-Amz-Date": query.Date = value; break;
                case "X-Amz-SignedHeaders": query.SignedHeaders = value; break;
                case "X-Amz-Signature": query.Signature = value; break;
                case "X-Amz-Expires": expires = value; break;
            }
        }

        if (scratch is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }

        if (algorithm != SigV4Authorization.Algorithm)
        {
            query.Error = $"Unsupported AWS 'algorithm': '{algorithm}'. Only {SigV4Authorization.Algorithm} is supported.";
        }
        else if (query.Credential.Length == 0 || query.Date.Length == 0 || query.SignedHeaders.Length == 0 || query.Signature.Length == 0)
        {
            query.Error = "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders' and 'X-Amz-Date'.";
        }
        else if (expires is not null)
        {
            if (int.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= MaxExpiresSeconds)
            {
                query.Expires = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                query.Error = $"X-Amz-Expires must be between 1 and {MaxExpiresSeconds} seconds.";
            }
        }

        return true;
    }

    private static string Decode(ReadOnlySpan<char> raw, ref byte[]? scratch)
    {
        // Query strings do not use the form rule '+' = space; escape it so FormDecoder leaves a literal '+'.
        var text = raw.Contains('+') ? raw.ToString().Replace("+", "%2B", StringComparison.Ordinal) : raw.ToString();
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return FormDecoder.DecodeComponent(bytes, ref scratch);
    }
}
