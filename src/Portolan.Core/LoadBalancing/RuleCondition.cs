using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>One <c>Key=Value</c> of a query-string condition; a null key matches the value under any key.</summary>
public sealed record QueryStringPair(string? Key, string Value);

/// <summary>
/// One condition of a rule, normalised from either wire form (the legacy <c>Values</c> or the <c>…Config</c>
/// member). How ALB matches, which the data plane follows:
/// <list type="bullet">
/// <item><see cref="ConditionField.PathPattern"/>: the request path (no query), case-sensitive; <c>*</c> matches any
/// run of characters, <c>?</c> exactly one. Any value may match.</item>
/// <item><see cref="ConditionField.HostHeader"/>: the Host (or :authority) name, case-insensitive, same wildcards.</item>
/// <item><see cref="ConditionField.HttpHeader"/>: header <see cref="HttpHeaderName"/> (case-insensitive) has a value
/// matching one of <see cref="Values"/> (case-insensitive, wildcards).</item>
/// <item><see cref="ConditionField.QueryString"/>: some query parameter matches one of <see cref="QueryStrings"/>
/// (case-insensitive, wildcards; a null key matches any key).</item>
/// <item><see cref="ConditionField.HttpRequestMethod"/>: the method equals one of <see cref="Values"/> (case-sensitive, no wildcards).</item>
/// <item><see cref="ConditionField.SourceIp"/>: the client's address (the TCP peer, not X-Forwarded-For) lies in one
/// of the CIDR blocks in <see cref="Values"/>.</item>
/// </list>
/// </summary>
public sealed record RuleCondition
{
    public required ConditionField Field { get; init; }

    /// <summary>The values of every field but query-string.</summary>
    public ImmutableArray<string> Values { get; init; } = [];

    /// <summary>The header an http-header condition looks at.</summary>
    public string? HttpHeaderName { get; init; }

    /// <summary>The pairs of a query-string condition.</summary>
    public ImmutableArray<QueryStringPair> QueryStrings { get; init; } = [];

    /// <summary>How many match evaluations the condition counts towards the rule's limit of 5.</summary>
    public int ValueCount => Field == ConditionField.QueryString ? QueryStrings.Length : Values.Length;

    // Value equality over the lists (ImmutableArray alone compares by reference).
    public bool Equals(RuleCondition? other) =>
        other is not null && Field == other.Field && HttpHeaderName == other.HttpHeaderName
        && Values.SequenceEqual(other.Values) && QueryStrings.SequenceEqual(other.QueryStrings);

    public override int GetHashCode() => HashCode.Combine(Field, HttpHeaderName, Values.Length, QueryStrings.Length);
}
