using System.Buffers.Text;
using System.Text;
using Portolan.Api.Edge;
using Portolan.Core.Registry;

namespace Portolan.Api.CloudMap;

/// <summary>
/// NextToken paging: the token is the opaque (base64url) key of the last item returned, so a page is stable
/// while items are added or removed elsewhere in the list.
/// </summary>
internal static class Paging
{
    public const int DefaultMaxResults = 100;

    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    public static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new AwsServiceException(ErrorCodes.InvalidInput, "The NextToken is not valid.");
        }
    }

    public static int Limit(int? maxResults, int max = 100)
    {
        if (maxResults is null) return Math.Min(DefaultMaxResults, max);
        if (maxResults < 1 || maxResults > max) throw new AwsServiceException(ErrorCodes.InvalidInput, $"MaxResults must be between 1 and {max}.");
        return maxResults.Value;
    }

    /// <summary>One page of <paramref name="ordered"/> (ordered ordinally by <paramref name="key"/>) and the next token.</summary>
    public static (List<T> Page, string? NextToken) Page<T>(IEnumerable<T> ordered, Func<T, string> key, string? token, int? maxResults)
    {
        var after = Decode(token);
        var limit = Limit(maxResults);
        var page = new List<T>(Math.Min(limit, 16));
        foreach (var item in ordered)
        {
            if (after is not null && string.CompareOrdinal(key(item), after) <= 0) continue;
            if (page.Count == limit) return (page, Encode(key(page[^1])));
            page.Add(item);
        }
        return (page, null);
    }
}
