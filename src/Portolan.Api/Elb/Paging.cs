using System.Buffers.Text;
using System.Text;

namespace Portolan.Api.Elb;

/// <summary>
/// Marker paging (<c>Marker</c> in, <c>NextMarker</c> out, <c>PageSize</c> 1–400): the marker is the opaque
/// (base64url) sort key of the last item returned, so a page stays right while items come and go elsewhere.
/// </summary>
internal static class Paging
{
    public const int MaxPageSize = 400;

    public static (List<T> Page, string? NextMarker) Page<T>(IEnumerable<T> items, Func<T, string> key, QueryInput input)
    {
        var size = input.Int("PageSize") ?? MaxPageSize;
        if (size is < 1 or > MaxPageSize) throw Errors.Validation($"Page size must be between 1 and {MaxPageSize}");
        var after = Decode(input.Str("Marker"));
        var page = new List<T>();
        foreach (var item in items.OrderBy(key, StringComparer.Ordinal))
        {
            if (after is not null && string.CompareOrdinal(key(item), after) <= 0) continue;
            if (page.Count == size) return (page, Encode(key(page[^1])));
            page.Add(item);
        }
        return (page, null);
    }

    /// <summary>A number as a key that sorts ordinally in numeric order.</summary>
    public static string NumberKey(int n) => n.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);

    private static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    private static string? Decode(string? marker)
    {
        if (string.IsNullOrEmpty(marker)) return null;
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(marker));
        }
        catch (FormatException)
        {
            throw Errors.Validation("The marker is not valid");
        }
    }
}
