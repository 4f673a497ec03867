namespace Portolan.Api.Edge;

/// <summary>The two wire protocols the AWS services we serve use (WIRE.md §1).</summary>
public enum AwsProtocol
{
    /// <summary>JSON 1.1: <c>X-Amz-Target: Prefix.Operation</c>, JSON body (servicediscovery, ecs).</summary>
    Json,
    /// <summary>Query: form body with <c>Action</c> and <c>Version</c>, XML replies (elasticloadbalancing).</summary>
    Query,
}
