using Portolan.Storage.Sqlite;

namespace Portolan.Storage.Tests.Sqlite;

public sealed class KeyRulesTests
{
    [Theory]
    [InlineData("/a/", "/a0")]
    [InlineData("a", "b")]
    [InlineData("/x\u007F", "/x\u0080")]
    [InlineData("/\uD7FF", "/\uE000")] // skips the surrogate range
    [InlineData("/\uFFFF", "/\U00010000")]
    [InlineData("/\U0001F600", "/\U0001F601")]
    [InlineData("/\U0010FFFF", "0")] // last code point cannot grow: drop it and grow the previous one
    public void Upper_bound_is_the_prefix_with_its_last_code_point_incremented(string prefix, string expected)
    {
        Assert.Equal(expected, KeyRules.UpperBound(prefix));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\U0010FFFF\U0010FFFF")]
    public void Upper_bound_is_null_when_nothing_is_greater(string prefix)
    {
        Assert.Null(KeyRules.UpperBound(prefix));
    }

    [Fact]
    public void Comparer_orders_by_code_point_like_utf8_bytes()
    {
        string[] keys = ["/\U0001F600", "/\uFFFD", "/\uE000", "/z", "/", "/\u00E9", "/a", "/aa"];

        var sorted = keys.Order(KeyRules.Comparer).ToArray();

        Assert.Equal(["/", "/a", "/aa", "/z", "/\u00E9", "/\uE000", "/\uFFFD", "/\U0001F600"], sorted);
        var byUtf8 = keys.OrderBy(k => System.Text.Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToArray();
        Assert.Equal(byUtf8, sorted);
    }
}
