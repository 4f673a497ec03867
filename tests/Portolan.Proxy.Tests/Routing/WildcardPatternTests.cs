using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Tests.Routing;

public sealed class WildcardPatternTests
{
    [Theory]
    [InlineData("/img/*", "/img/a.png", true)]
    [InlineData("/img/*", "/img/", true)]
    [InlineData("/img/*", "/img", false)]
    [InlineData("/api/v?/users", "/api/v2/users", true)]
    [InlineData("/api/v?/users", "/api/v10/users", false)]
    [InlineData("*.jpg", "/a/b/c.jpg", true)]
    [InlineData("/a*b*c", "/aXXbYYc", true)]
    [InlineData("/a*b*c", "/aXXbYYcd", false)]
    [InlineData("/Case", "/case", false)]
    [InlineData("*", "", true)]
    [InlineData("/exact", "/exact", true)]
    public void CaseSensitive(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new WildcardPattern(pattern, ignoreCase: false).IsMatch(text));

    [Theory]
    [InlineData("*.Example.com", "api.example.COM", true)]
    [InlineData("example.com", "EXAMPLE.com", true)]
    [InlineData("ex?mple.com", "exxmple.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    public void CaseInsensitive(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new WildcardPattern(pattern, ignoreCase: true).IsMatch(text));

    [Fact]
    public void Match_DoesNotAllocate()
    {
        var pattern = new WildcardPattern("/api/*/items/?*", ignoreCase: true);
        const string path = "/API/v1/items/42/details";
        Assert.True(pattern.IsMatch(path));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) pattern.IsMatch(path);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
