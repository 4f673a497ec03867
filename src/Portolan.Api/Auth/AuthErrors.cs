using Portolan.Api.Edge;

namespace Portolan.Api.Auth;

/// <summary>
/// The error each <see cref="AuthFailure"/> becomes, in the words AWS uses. JSON services (servicediscovery, ecs)
/// answer with the <c>...Exception</c> codes; Query services (elasticloadbalancing) with the older IAM-style codes
/// and 403s.
/// </summary>
internal static class AuthErrors
{
    public const string InvalidKeyMessage = "The security token included in the request is invalid.";

    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public static AwsServiceException ToException(AuthResult result, AwsProtocol protocol)
    {
        var json = protocol == AwsProtocol.Json;
        return result.Failure switch
        {
            AuthFailure.MissingToken => json
                ? new("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
                : new("MissingAuthenticationToken", "Request is missing Authentication Token", 403),
            AuthFailure.Incomplete => json
                ? new("IncompleteSignatureException", result.Detail ?? "The request signature is incomplete.", 400)
                : new("IncompleteSignature", result.Detail ?? "The request signature is incomplete.", 400),
            AuthFailure.UnknownKey => json
                ? new("UnrecognizedClientException", InvalidKeyMessage, 400)
                : new("InvalidClientTokenId", InvalidKeyMessage, 403),
            AuthFailure.SignatureMismatch => json
                ? new("InvalidSignatureException", result.Detail ?? SignatureMismatchMessage, 400)
                : new("SignatureDoesNotMatch", result.Detail ?? SignatureMismatchMessage, 403),
            AuthFailure.Expired => json
                ? new("InvalidSignatureException", result.Detail ?? "Signature expired.", 400)
                : new("SignatureDoesNotMatch", result.Detail ?? "Signature expired.", 403),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Failure, "Not a failure."),
        };
    }
}
