using System.Globalization;

namespace Portolan.Health.Matching;

/// <summary>
/// The codes a probe accepts, in ALB's Matcher syntax: one code (<c>200</c>), a list (<c>200,202</c>), a range
/// (<c>200-299</c>) or a mix (<c>0,2-4</c>). HTTP codes or gRPC status codes alike; equal when the text is.
/// </summary>
public sealed class CodeMatcher : IEquatable<CodeMatcher>
{
    private readonly (int Low, int High)[] _ranges;

    private CodeMatcher(string text, (int, int)[] ranges)
    {
        Text = text;
        _ranges = ranges;
    }

    /// <summary>The matcher as the user wrote it (what DescribeTargetGroups echoes).</summary>
    public string Text { get; }

    /// <summary>ALB's HTTP default (200).</summary>
    public static CodeMatcher Http200 { get; } = Parse("200");

    /// <summary>What Route 53 (and so Cloud Map) counts as a passing HTTP/HTTPS check: any 2xx or 3xx.</summary>
    public static CodeMatcher Http2xx3xx { get; } = Parse("200-399");

    /// <summary>ALB's gRPC default: 12 (UNIMPLEMENTED), paired with the default path /AWS.ALB/healthcheck.</summary>
    public static CodeMatcher GrpcUnimplemented { get; } = Parse("12");

    /// <summary>gRPC OK: what a real grpc.health.v1 server answers on /grpc.health.v1.Health/Check.</summary>
    public static CodeMatcher GrpcOk { get; } = Parse("0");

    public bool Matches(int code)
    {
        foreach (var (low, high) in _ranges)
        {
            if (code >= low && code <= high) return true;
        }
        return false;
    }

    /// <summary>Parses matcher text; every code must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="FormatException">The text is not a list of codes and ranges within the bounds.</exception>
    public static CodeMatcher Parse(string text, int min = 0, int max = 599) =>
        TryParse(text, min, max, out var matcher, out var error) ? matcher : throw new FormatException(error);

    public static bool TryParse(string? text, int min, int max, out CodeMatcher matcher, out string error)
    {
        matcher = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The matcher is empty.";
            return false;
        }

        var ranges = new List<(int, int)>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? part : part[..dash];
            var highText = dash < 0 ? part : part[(dash + 1)..];
            if (!TryCode(lowText, out var low) || !TryCode(highText, out var high) || low > high)
            {
                error = $"'{part}' in matcher '{text}' is not a code or a range of codes (like 200 or 200-299).";
                return false;
            }
            if (low < min || high > max)
            {
                error = $"Matcher '{text}' has codes outside {min}-{max}.";
                return false;
            }
            ranges.Add((low, high));
        }

        matcher = new CodeMatcher(text, [.. ranges]);
        return true;
    }

    private static bool TryCode(string s, out int code) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out code) && s.Length <= 3;

    public bool Equals(CodeMatcher? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);
    public override bool Equals(object? obj) => Equals(obj as CodeMatcher);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
    public override string ToString() => Text;
}
