using System.Buffers.Text;
using System.Text;
using Portolan.Api.Edge;
using Portolan.Core.Ecs;

namespace Portolan.Api.Ecs;

/// <summary>
/// nextToken paging for the ECS list calls (items ordered ordinally by key, ascending or descending): the token is the opaque (base64url) key of the last item returned, so
/// pages stay stable while items come and go, and the CLI's auto-paging never sees the same token twice.
/// </summary>
internal static class EcsPaging
{
    public static (List<T> Page, string? NextToken) Page<T>(IEnumerable<T> ordered, Func<T, string> key, string? token, int? maxResults,
        int defaultMax = 100, bool descending = false)
    {
        if (maxResults is < 1 or > 100) throw new AwsServiceException(EcsErrors.InvalidParameter, "maxResults must be between 1 and 100.");
        var after = Decode(token);
        var limit = maxResults ?? defaultMax;
        var page = new List<T>(Math.Min(limit, 16));
        foreach (var item in ordered)
        {
            if (after is not null && (descending ? -1 : 1) * string.CompareOrdinal(key(item), after) <= 0) continue;
            if (page.Count == limit) return (page, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key(page[^1]))));
            page.Add(item);
        }
        return (page, null);
    }

    private static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new AwsServiceException(EcsErrors.InvalidParameter, "Invalid nextToken.");
        }
    }
}
