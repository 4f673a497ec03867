using System.Net;

namespace Portolan.Proxy.Tests.Support;

/// <summary>HttpClients as users have them: HTTP/1.1, and HTTP/2 with prior knowledge (h2c) on cleartext.</summary>
public static class Clients
{
    public static HttpClient Http1(bool cookies = false) => new(new SocketsHttpHandler
    {
        UseCookies = cookies,
        AllowAutoRedirect = false,
        UseProxy = false,
    })
    {
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static HttpClient H2c() => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
