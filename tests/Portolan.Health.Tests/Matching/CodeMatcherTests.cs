using Portolan.Health.Matching;

namespace Portolan.Health.Tests.Matching;

public sealed class CodeMatcherTests
{
    [Theory]
    [InlineData("200", 200, true)]
    [InlineData("200", 201, false)]
    [InlineData("200-299", 299, true)]
    [InlineData("200-299", 300, false)]
    [InlineData("200,202", 202, true)]
    [InlineData("200,202", 201, false)]
    [InlineData("200,300-399", 302, true)]
    [InlineData("0-99", 12, true)]
    [InlineData("12", 0, false)]
    public void Matches_single_codes_lists_and_ranges(string text, int code, bool matches) =>
        Assert.Equal(matches, CodeMatcher.Parse(text).Matches(code));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("200-")]
    [InlineData("299-200")]
    [InlineData("200,,202")]
    [InlineData("2000")]
    [InlineData(" 200")]
    public void Rejects_malformed_text(string text) =>
        Assert.False(CodeMatcher.TryParse(text, 0, 599, out _, out var error) && error.Length == 0);

    [Fact]
    public void Rejects_codes_outside_the_allowed_range()
    {
        Assert.False(CodeMatcher.TryParse("100", 200, 499, out _, out var error));
        Assert.Contains("200-499", error, StringComparison.Ordinal);
        Assert.True(CodeMatcher.TryParse("0-99", 0, 99, out _, out _));
        Assert.False(CodeMatcher.TryParse("0-100", 0, 99, out _, out _));
    }

    [Fact]
    public void Equal_when_the_text_is()
    {
        Assert.Equal(CodeMatcher.Parse("200-299"), CodeMatcher.Parse("200-299"));
        Assert.NotEqual(CodeMatcher.Parse("200"), CodeMatcher.Parse("200-200"));
    }
}
