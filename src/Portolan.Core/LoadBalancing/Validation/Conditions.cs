using System.Collections.Immutable;
using System.Net;

namespace Portolan.Core.LoadBalancing.Validation;

/// <summary>
/// ALB's rule-condition rules: at most one each of host-header, http-request-method, path-pattern and source-ip;
/// every condition has 1–3 values; a rule has at most 5 values and 5 wildcards in all; each field's character set
/// and length (ALB rule-condition-types).
/// </summary>
public static class Conditions
{
    public const int MaxValuesPerCondition = 3;
    public const int MaxValuesPerRule = 5;
    public const int MaxWildcardsPerRule = 5;

    private const string PathCharacters = "_-.$/~\"'@:+&*?";
    private const string HostCharacters = "-.*?";

    public static void Validate(ImmutableArray<RuleCondition> conditions)
    {
        if (conditions.IsDefaultOrEmpty) throw ElbErrors.Validation("A rule must have at least one condition");
        var values = 0;
        var wildcards = 0;
        var seen = new HashSet<ConditionField>();
        foreach (var c in conditions)
        {
            var field = WireNames.Of(c.Field);
            if (c.Field is not (ConditionField.HttpHeader or ConditionField.QueryString) && !seen.Add(c.Field))
                throw ElbErrors.Validation($"A rule can have only one '{field}' condition");
            if (c.ValueCount == 0) throw ElbErrors.Validation($"A '{field}' condition must have at least one value");
            if (c.ValueCount > MaxValuesPerCondition) throw ElbErrors.Validation($"A '{field}' condition can have at most {MaxValuesPerCondition} values");
            values += c.ValueCount;
            switch (c.Field)
            {
                case ConditionField.PathPattern:
                    foreach (var v in c.Values) Text(v, field, 128, ch => char.IsAsciiLetterOrDigit(ch) || PathCharacters.Contains(ch, StringComparison.Ordinal));
                    break;
                case ConditionField.HostHeader:
                    foreach (var v in c.Values) Text(v, field, 128, ch => char.IsAsciiLetterOrDigit(ch) || HostCharacters.Contains(ch, StringComparison.Ordinal));
                    break;
                case ConditionField.HttpHeader:
                    if (string.IsNullOrEmpty(c.HttpHeaderName) || c.HttpHeaderName.Length > 40 || !c.HttpHeaderName.All(IsTokenChar))
                        throw ElbErrors.Validation($"HTTP header name '{c.HttpHeaderName}' must be 1-40 characters of a valid header name");
                    foreach (var v in c.Values) Text(v, field, 128, ch => ch >= ' ' && ch != 127);
                    break;
                case ConditionField.HttpRequestMethod:
                    foreach (var v in c.Values) Text(v, field, 40, ch => ch is (>= 'A' and <= 'Z') or '-' or '_');
                    break;
                case ConditionField.QueryString:
                    foreach (var pair in c.QueryStrings)
                    {
                        if (pair.Key is not null) Text(pair.Key, "query-string key", 128, ch => ch > ' ' && ch != 127);
                        Text(pair.Value, "query-string value", 128, ch => ch > ' ' && ch != 127);
                    }
                    break;
                case ConditionField.SourceIp:
                    foreach (var v in c.Values)
                    {
                        if (!IPNetwork.TryParse(v, out _)) throw ElbErrors.Validation($"'{v}' is not a valid CIDR block (e.g. 10.0.0.0/8 or 2001:db8::/32)");
                    }
                    break;
            }
            wildcards += c.Values.Sum(Wildcards) + c.QueryStrings.Sum(p => Wildcards(p.Key) + Wildcards(p.Value));
        }
        if (values > MaxValuesPerRule) throw ElbErrors.Validation($"A rule can have at most {MaxValuesPerRule} condition values");
        if (wildcards > MaxWildcardsPerRule) throw ElbErrors.Validation($"A rule can have at most {MaxWildcardsPerRule} wildcards");
    }

    private static void Text(string value, string what, int max, Func<char, bool> allowed)
    {
        if (string.IsNullOrEmpty(value) || value.Length > max || !value.All(allowed))
            throw ElbErrors.Validation($"'{value}' is not a valid {what} value: 1-{max} characters of the allowed set");
    }

    private static int Wildcards(string? value) => value is null ? 0 : value.Count(c => c is '*' or '?');

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
