namespace Portolan.Api.Auth;

/// <summary>
/// The parts of a SigV4 signature, from either the <c>Authorization</c> header
/// (<c>AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/ecs/aws4_request, SignedHeaders=a;b, Signature=hex</c>)
/// or a presigned URL's <c>X-Amz-*</c> query parameters.
/// </summary>
internal sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    string Scope,
    string SignedHeaders,
    string Signature)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Parses an <c>Authorization</c> header value; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParseHeader(string header, out SigV4Authorization? authorization, out string? error)
    {
        authorization = null;
        var text = header.AsSpan().Trim();
        var space = text.IndexOf(' ');
        var algorithm = space < 0 ? text : text[..space];
        if (!algorithm.SequenceEqual(Algorithm))
        {
            error = $"Unsupported AWS 'algorithm': '{algorithm}'. Only {Algorithm} is supported.";
            return false;
        }

        ReadOnlySpan<char> credential = default, signedHeaders = default, signature = default;
        bool hasCredential = false, hasSignedHeaders = false, hasSignature = false;
        var rest = space < 0 ? [] : text[(space + 1)..];
        foreach (var range in rest.Split(','))
        {
            var component = rest[range].Trim();
            var eq = component.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var name = component[..eq].Trim();
            var value = component[(eq + 1)..].Trim();
            if (name.SequenceEqual("Credential"))
            {
                credential = value;
                hasCredential = true;
            }
            else if (name.SequenceEqual("SignedHeaders"))
            {
                signedHeaders = value;
                hasSignedHeaders = true;
            }
            else if (name.SequenceEqual("Signature"))
            {
                signature = value;
                hasSignature = true;
            }
        }

        var missing = !hasCredential ? "Credential" : !hasSignedHeaders ? "SignedHeaders" : !hasSignature ? "Signature" : null;
        if (missing is not null)
        {
            error = $"Authorization header requires '{missing}' parameter. Authorization={header}";
            return false;
        }

        return TryCreate(credential, signedHeaders, signature, out authorization, out error);
    }

    /// <summary>Builds the signature parts from their raw values, checking the credential scope's shape.</summary>
    public static bool TryCreate(
        ReadOnlySpan<char> credential,
        ReadOnlySpan<char> signedHeaders,
        ReadOnlySpan<char> signature,
        out SigV4Authorization? authorization,
        out string? error)
    {
        authorization = null;
        Span<Range> parts = stackalloc Range[6];
        if (credential.Split(parts, '/') != 5 || !credential[parts[4]].SequenceEqual("aws4_request")
            || credential[parts[0]].IsEmpty || credential[parts[1]].Length != 8)
        {
            error = $"Credential should be scoped with a valid terminator: 'aws4_request', not '{credential}'.";
            return false;
        }

        if (signedHeaders.IsEmpty || signature.IsEmpty)
        {
            error = "Authorization header requires non-empty 'SignedHeaders' and 'Signature' parameters.";
            return false;
        }

        authorization = new SigV4Authorization(
            AccessKeyId: credential[parts[0]].ToString(),
            Date: credential[parts[1]].ToString(),
            Region: credential[parts[2]].ToString(),
            Service: credential[parts[3]].ToString(),
            Scope: credential[parts[1].Start..].ToString(),
            SignedHeaders: signedHeaders.ToString(),
            Signature: signature.ToString());
        error = null;
        return true;
    }

    /// <summary>
    /// The access key id alone, for when signatures are not verified: a cheap scan that never fails the request.
    /// </summary>
    public static ReadOnlySpan<char> PeekAccessKeyId(ReadOnlySpan<char> header)
    {
        var start = header.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var value = header[(start + "Credential=".Length)..];
        var slash = value.IndexOfAny('/', ',');
        return slash <= 0 ? [] : value[..slash];
    }
}
