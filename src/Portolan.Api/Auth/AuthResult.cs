namespace Portolan.Api.Auth;

/// <summary>Why a request was not authenticated. Each maps to the code AWS uses in each protocol (<see cref="AuthErrors"/>).</summary>
internal enum AuthFailure
{
    None,
    /// <summary>No <c>Authorization</c> header and no presigned query parameters.</summary>
    MissingToken,
    /// <summary>A signature that cannot be read: unknown algorithm, missing component, no date.</summary>
    Incomplete,
    /// <summary>The access key id is not in the access-key file.</summary>
    UnknownKey,
    /// <summary>The signature (or something it must agree with) does not match.</summary>
    SignatureMismatch,
    /// <summary>The request's date is further than the allowed skew from the server clock, or a presigned URL expired.</summary>
    Expired,
}

/// <summary>The outcome of checking one request's credentials. A value type: the success path allocates nothing.</summary>
internal readonly record struct AuthResult(string? AccessKeyId, AuthFailure Failure, string? Detail)
{
    public bool Succeeded => Failure == AuthFailure.None;

    public static AuthResult Success(string? accessKeyId) => new(accessKeyId, AuthFailure.None, null);

    public static AuthResult Fail(AuthFailure failure, string? detail = null, string? accessKeyId = null) =>
        new(accessKeyId, failure, detail);
}
