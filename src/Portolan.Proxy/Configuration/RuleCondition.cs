using System.Collections.Immutable;
using System.Net;

namespace Portolan.Proxy.Configuration;

/// <summary>
/// One rule condition, as ELBv2 defines them. Patterns take the ALB wildcards <c>*</c> (any run of characters)
/// and <c>?</c> (one character).
/// </summary>
public abstract record RuleCondition;

/// <summary><c>host-header</c>: the Host (without port), case-insensitive.</summary>
public sealed record HostHeaderCondition(ImmutableArray<string> Values) : RuleCondition;

/// <summary><c>path-pattern</c>: the URL path (not the query), case-sensitive.</summary>
public sealed record PathPatternCondition(ImmutableArray<string> Values) : RuleCondition;

/// <summary><c>http-header</c>: any value of the named header, case-insensitive.</summary>
public sealed record HttpHeaderCondition(string HeaderName, ImmutableArray<string> Values) : RuleCondition;

/// <summary>
/// <c>query-string</c>: any query parameter matching any pair; a null key matches any key. Compared with the
/// query as sent (percent-encoded), case-insensitive, as ALB does.
/// </summary>
public sealed record QueryStringCondition(ImmutableArray<QueryStringPair> Values) : RuleCondition;

public sealed record QueryStringPair(string? Key, string Value);

/// <summary><c>http-request-method</c>: exact, case-sensitive method names.</summary>
public sealed record HttpRequestMethodCondition(ImmutableArray<string> Values) : RuleCondition;

/// <summary><c>source-ip</c>: the client's address (the TCP peer, not X-Forwarded-For) in any of the CIDR blocks.</summary>
public sealed record SourceIpCondition(ImmutableArray<IPNetwork> Values) : RuleCondition;
