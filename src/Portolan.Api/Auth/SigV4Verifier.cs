using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Portolan.Api.Edge;

namespace Portolan.Api.Auth;

/// <summary>
/// Checks AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) on a request, from the <c>Authorization</c> header or
/// from presigned-URL query parameters. With no <see cref="AwsAuthOptions.AccessKeys"/> every request passes and only
/// the access key id is read.
/// </summary>
internal sealed class SigV4Verifier(AwsAuthOptions options, TimeProvider time)
{
    private const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private const int MaxCachedSigningKeys = 1024;

    // Derived keys depend only on (secret, date, region, service), so one per credential scope and day is enough;
    // caching them saves four HMACs per request. Only keys of known access keys get here, so the size stays small;
    // the bound is a guard, not an eviction policy.
    private readonly ConcurrentDictionary<string, byte[]> _signingKeys = new(StringComparer.Ordinal);

    // When signatures are not verified the key id is still handed to services; remembering the last one avoids a
    // string per request for the usual single-key client.
    private string? _lastAccessKeyId;

    public bool VerifiesSignatures => options.AccessKeys is not null;

    public AuthResult Authenticate(string method, string rawTarget, IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        var authorizationHeader = headers.Authorization;
        if (options.AccessKeys is not { } keys)
        {
            return AuthResult.Success(authorizationHeader.Count == 0 ? null : AccessKeyIdOf(authorizationHeader.ToString()));
        }

        SigV4Authorization? authorization;
        string? error;
        string? amzDate;
        TimeSpan? presignedLifetime = null;
        var presigned = false;
        if (authorizationHeader.Count > 0)
        {
            if (!SigV4Authorization.TryParseHeader(authorizationHeader.ToString(), out authorization, out error))
            {
                return AuthResult.Fail(AuthFailure.Incomplete, error);
            }

            amzDate = RequestDate(headers);
            if (amzDate is null)
            {
                return AuthResult.Fail(AuthFailure.Incomplete,
                    $"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authorizationHeader}");
            }
        }
        else if (PresignedQuery.TryRead(rawTarget, out var query))
        {
            presigned = true;
            if (query.Error is not null)
            {
                return AuthResult.Fail(AuthFailure.Incomplete, query.Error);
            }

            if (!SigV4Authorization.TryCreate(query.Credential, query.SignedHeaders, query.Signature, out authorization, out error))
            {
                return AuthResult.Fail(AuthFailure.Incomplete, error);
            }

            amzDate = query.Date;
            presignedLifetime = query.Expires;
        }
        else
        {
            return AuthResult.Fail(AuthFailure.MissingToken);
        }

        return Verify(keys, authorization!, amzDate, presigned, presignedLifetime, method, rawTarget, headers, body);
    }

    private AuthResult Verify(
        AccessKeyStore keys,
        SigV4Authorization authorization,
        string amzDate,
        bool presigned,
        TimeSpan? presignedLifetime,
        string method,
        string rawTarget,
        IHeaderDictionary headers,
        ReadOnlySpan<byte> body)
    {
        var keyId = authorization.AccessKeyId;
        if (!DateTimeOffset.TryParseExact(amzDate, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return AuthResult.Fail(AuthFailure.Incomplete,
                $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601", keyId);
        }

        if (!amzDate.AsSpan(0, 8).SequenceEqual(authorization.Date))
        {
            return AuthResult.Fail(AuthFailure.SignatureMismatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate[..8]}', from '{amzDate}'.", keyId);
        }

        if (!SignsHost(authorization.SignedHeaders))
        {
            return AuthResult.Fail(AuthFailure.SignatureMismatch,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", keyId);
        }

        if (!keys.TryGetSecret(keyId, out var secret))
        {
            return AuthResult.Fail(AuthFailure.UnknownKey, accessKeyId: keyId);
        }

        if (CheckClock(signedAt, presignedLifetime) is { } clockError)
        {
            return AuthResult.Fail(AuthFailure.Expired, clockError, keyId);
        }

        Span<char> bodyHash = stackalloc char[64];
        string? payloadHashHeader = headers["X-Amz-Content-Sha256"];
        scoped ReadOnlySpan<char> payloadHash;
        if (payloadHashHeader is not null)
        {
            // A client may sign a declared body hash instead of hashing itself (UNSIGNED-PAYLOAD, or the hex digest).
            // A declared digest must still be the real one, or a signed header would vouch for a swapped body.
            if (payloadHashHeader != UnsignedPayload && !BodyHashEquals(body, payloadHashHeader))
            {
                return AuthResult.Fail(AuthFailure.SignatureMismatch,
                    "The provided 'x-amz-content-sha256' header does not match what was computed.", keyId);
            }

            payloadHash = payloadHashHeader;
        }
        else
        {
            payloadHash = HashHex(body, bodyHash);
        }

        using var canonical = new PooledBufferWriter(1024);
        CanonicalRequest.Write(canonical, method, rawTarget, headers, authorization.SignedHeaders, payloadHash, excludeSignatureParameter: presigned);

        using var stringToSign = new PooledBufferWriter(256);
        stringToSign.Write("AWS4-HMAC-SHA256\n"u8);
        stringToSign.WriteUtf8(amzDate);
        stringToSign.Write("\n"u8);
        stringToSign.WriteUtf8(authorization.Scope);
        stringToSign.Write("\n"u8);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(canonical.WrittenSpan, digest);
        stringToSign.WriteHexLower(digest);

        Span<byte> signature = stackalloc byte[32];
        HMACSHA256.HashData(SigningKey(secret, authorization), stringToSign.WrittenSpan, signature);
        Span<byte> expected = stackalloc byte[64];
        WriteHexLower(signature, expected);

        return SignatureEquals(expected, authorization.Signature)
            ? AuthResult.Success(keyId)
            : AuthResult.Fail(AuthFailure.SignatureMismatch, accessKeyId: keyId);
    }

    private string? CheckClock(DateTimeOffset signedAt, TimeSpan? presignedLifetime)
    {
        var now = time.GetUtcNow();
        var skew = options.MaxClockSkew;
        if (presignedLifetime is { } lifetime && now > signedAt + lifetime)
        {
            return $"Signature expired: {Format(signedAt + lifetime)} is now earlier than {Format(now)}.";
        }

        if (presignedLifetime is null && signedAt < now - skew)
        {
            return $"Signature expired: {Format(signedAt)} is now earlier than {Format(now - skew)} ({Format(now)} - {skew.TotalMinutes:0} min.)";
        }

        if (signedAt > now + skew)
        {
            return $"Signature not yet current: {Format(signedAt)} is still later than {Format(now + skew)} ({Format(now)} + {skew.TotalMinutes:0} min.)";
        }

        return null;
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static string? RequestDate(IHeaderDictionary headers)
    {
        string? amzDate = headers["X-Amz-Date"];
        if (!string.IsNullOrEmpty(amzDate))
        {
            return amzDate.Trim();
        }

        // Older signers put the time in Date (RFC 1123) instead; it is signed in the same ISO-8601 basic form.
        string? date = headers.Date;
        return DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? Format(parsed)
            : null;
    }

    private static bool SignsHost(string signedHeaders)
    {
        foreach (var range in signedHeaders.AsSpan().Split(';'))
        {
            if (signedHeaders.AsSpan(range).Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private byte[] SigningKey(string secret, SigV4Authorization authorization)
    {
        var cacheKey = string.Concat(authorization.AccessKeyId, "/", authorization.Scope);
        if (_signingKeys.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }

        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        if (_signingKeys.Count >= MaxCachedSigningKeys)
        {
            _signingKeys.Clear();
        }

        _signingKeys[cacheKey] = key;
        return key;
    }

    private static ReadOnlySpan<char> HashHex(ReadOnlySpan<byte> body, Span<char> destination)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        Convert.TryToHexStringLower(digest, destination, out var written);
        return destination[..written];
    }

    private static bool BodyHashEquals(ReadOnlySpan<byte> body, string declared)
    {
        Span<char> actual = stackalloc char[64];
        return HashHex(body, actual).Equals(declared, StringComparison.OrdinalIgnoreCase);
    }

    private static void WriteHexLower(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string hex = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)hex[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)hex[bytes[i] & 0xF];
        }
    }

    /// <summary>Compares in constant time, so the answer's timing reveals nothing about how much of a guess was right.</summary>
    private static bool SignatureEquals(ReadOnlySpan<byte> expected, string provided)
    {
        if (provided.Length != expected.Length)
        {
            return false;
        }

        Span<byte> providedBytes = stackalloc byte[64];
        for (var i = 0; i < provided.Length; i++)
        {
            providedBytes[i] = (byte)char.ToLowerInvariant(provided[i]);
        }

        return CryptographicOperations.FixedTimeEquals(expected, providedBytes[..provided.Length]);
    }

    private string? AccessKeyIdOf(string header)
    {
        var keyId = SigV4Authorization.PeekAccessKeyId(header);
        if (keyId.IsEmpty)
        {
            return null;
        }

        var last = _lastAccessKeyId;
        if (last is not null && keyId.SequenceEqual(last))
        {
            return last;
        }

        return _lastAccessKeyId = keyId.ToString();
    }
}
