namespace Portolan.Api.Edge;

/// <summary>
/// One AWS service served on the shared API edge. The edge authenticates the request, decides the service
/// and the operation, then calls <see cref="InvokeAsync"/>. The service writes a success body to
/// <see cref="AwsCall.Output"/> or throws <see cref="AwsServiceException"/>; the edge renders both in the
/// calling protocol's format (JSON object / <c>&lt;OpResponse&gt;&lt;OpResult&gt;</c> XML envelope).
/// </summary>
public interface IAwsService
{
    /// <summary>SigV4 signing name, e.g. <c>servicediscovery</c>, <c>ecs</c>, <c>elasticloadbalancing</c>.</summary>
    string SigningName { get; }

    /// <summary>The <c>X-Amz-Target</c> prefix for JSON services (e.g. <c>Route53AutoNaming_v20170314</c>); null for Query services.</summary>
    string? JsonTargetPrefix { get; }

    /// <summary>The <c>Version</c> form value for Query services (e.g. <c>2015-12-01</c>); null for JSON services.</summary>
    string? QueryVersion { get; }

    /// <summary>The member that carries an error's text in JSON errors: <c>Message</c> (Cloud Map) or <c>message</c> (ECS).</summary>
    string JsonErrorMessageMember { get; }

    /// <summary>The XML namespace of Query replies (e.g. <c>http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/</c>); null for JSON services.</summary>
    string? XmlNamespace { get; }

    /// <summary>
    /// Runs <see cref="AwsCall.Operation"/>. JSON services write the whole response object to
    /// <see cref="AwsCall.Output"/> (nothing written = <c>{}</c>); Query services write only the inner
    /// content of the <c>&lt;OpResult&gt;</c> element. Unknown operations throw
    /// <see cref="AwsServiceException.UnknownOperation"/>.
    /// </summary>
    ValueTask InvokeAsync(AwsCall call, CancellationToken cancellationToken);
}
