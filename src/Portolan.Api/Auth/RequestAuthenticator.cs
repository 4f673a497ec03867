using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Portolan.Api.Edge;

namespace Portolan.Api.Auth;

/// <summary>
/// The API edge's SigV4 check for the other things the API port serves (the console's read-only views and its
/// event stream): with <c>--auth</c> they demand the same credentials as the AWS APIs, in an <c>Authorization</c>
/// header or as presigned query parameters (an <c>EventSource</c> cannot send headers); without it they are open,
/// like the APIs.
/// </summary>
public sealed class RequestAuthenticator
{
    private readonly SigV4Verifier _verifier;

    internal RequestAuthenticator(SigV4Verifier verifier) => _verifier = verifier;

    /// <summary>True when <c>--auth</c> named an access-key file, so requests must be signed.</summary>
    public bool SignaturesRequired => _verifier.VerifiesSignatures;

    /// <summary>Checks a request that has no body (GET, HEAD); on failure gives AWS's error code and message.</summary>
    public bool TryAuthenticate(HttpContext context, [NotNullWhen(false)] out string? errorCode, [NotNullWhen(false)] out string? message)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var result = _verifier.Authenticate(request.Method, rawTarget, request.Headers, []);
        if (result.Succeeded)
        {
            errorCode = null;
            message = null;
            return true;
        }

        var error = AuthErrors.ToException(result, AwsProtocol.Json);
        errorCode = error.Code;
        message = error.Message;
        return false;
    }
}
