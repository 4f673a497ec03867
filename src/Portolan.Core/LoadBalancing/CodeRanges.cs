using System.Collections.Immutable;
using System.Globalization;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// A matcher's code list as AWS writes it: single codes and ranges joined by commas (<c>200</c>, <c>200,202</c>,
/// <c>200-299</c>, <c>0-99</c>). Parsed once; <see cref="Contains"/> is allocation-free for the health engine.
/// </summary>
public sealed class CodeRanges
{
    private readonly ImmutableArray<(int Low, int High)> _ranges;

    private CodeRanges(ImmutableArray<(int Low, int High)> ranges) => _ranges = ranges;

    public bool Contains(int code)
    {
        foreach (var (low, high) in _ranges)
        {
            if (code >= low && code <= high) return true;
        }
        return false;
    }

    /// <summary>Parses <paramref name="text"/>; false when it is malformed or has a code outside <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static bool TryParse(string? text, int min, int max, out CodeRanges ranges)
    {
        ranges = Empty;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 256) return false;
        var list = ImmutableArray.CreateBuilder<(int, int)>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? part : part[..dash];
            var highText = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(lowText, NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                || !int.TryParse(highText, NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                || low < min || high > max || low > high)
            {
                return false;
            }
            list.Add((low, high));
        }
        ranges = new CodeRanges(list.ToImmutable());
        return true;
    }

    private static readonly CodeRanges Empty = new([]);
}
