using Portolan.Api.Auth;

namespace Portolan.Api.Tests;

public sealed class AccessKeyStoreTests
{
    [Fact]
    public void Reads_pairs_and_skips_comments_and_blank_lines()
    {
        var store = AccessKeyStore.Parse(new StringReader("# team keys\n\n  test   test  \nAKIA1\twJalr/K7MDENG+bPxRfiCY\n   # indented comment\n"), "keys");

        Assert.Equal(2, store.Count);
        Assert.True(store.TryGetSecret("test", out var secret));
        Assert.Equal("test", secret);
        Assert.True(store.TryGetSecret("AKIA1", out secret));
        Assert.Equal("wJalr/K7MDENG+bPxRfiCY", secret);
        Assert.False(store.TryGetSecret("TEST", out _));
    }

    [Theory]
    [InlineData("only-a-key\n", "keys:1:")]
    [InlineData("ok ok\na b c\n", "keys:2:")]
    [InlineData("a b\na c\n", "listed twice")]
    [InlineData("a/b c\n", "cannot contain '/'")]
    public void Malformed_lines_are_reported_with_file_and_line(string content, string expected)
    {
        var error = Assert.Throws<FormatException>(() => AccessKeyStore.Parse(new StringReader(content), "keys"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
