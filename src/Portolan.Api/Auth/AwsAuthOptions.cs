namespace Portolan.Api.Auth;

/// <summary>How the edge treats request signatures.</summary>
public sealed class AwsAuthOptions
{
    /// <summary>
    /// The keys whose SigV4 signatures are verified. Null (the default) accepts any request, signed or not, like
    /// other AWS emulators; the access key id is still read from the signature when there is one.
    /// </summary>
    public AccessKeyStore? AccessKeys { get; set; }

    /// <summary>How far a request's <c>X-Amz-Date</c> may be from the server clock: 15 minutes, as AWS allows.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);
}
