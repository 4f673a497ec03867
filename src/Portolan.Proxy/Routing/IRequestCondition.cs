namespace Portolan.Proxy.Routing;

/// <summary>One compiled rule condition: true when the request satisfies it. Must not allocate.</summary>
internal interface IRequestCondition
{
    bool Matches(IProxyRequest request);
}
