using System.Globalization;
using Portolan.Api.Edge;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Api.CloudMap;

/// <summary>
/// The list filters of ListNamespaces, ListServices and ListOperations, with the conditions each filter
/// allows (API reference): all filters must match.
/// </summary>
internal static class Filters
{
    public static Func<NamespaceEntry, bool> Namespaces(List<FilterDto>? filters)
    {
        var predicates = new List<Func<NamespaceEntry, bool>>();
        foreach (var f in filters ?? [])
        {
            var (name, values, condition) = Read(f);
            predicates.Add(name switch
            {
                "TYPE" => Allowed(condition, ["EQ", "IN"], OneOf<NamespaceEntry>(values, n => CloudMapWriter.Wire(n.Record.Type))),
                "NAME" => Text(condition, values, n => n.Record.Name),
                "HTTP_NAME" => Text(condition, values, n => n.Record.HttpName),
                _ => throw Invalid($"Unknown namespace filter {name}; use TYPE, NAME or HTTP_NAME."),
            });
        }
        return n => predicates.TrueForAll(p => p(n));
    }

    public static Func<ServiceEntry, bool> Services(List<FilterDto>? filters)
    {
        var predicates = new List<Func<ServiceEntry, bool>>();
        foreach (var f in filters ?? [])
        {
            var (name, values, condition) = Read(f);
            predicates.Add(name switch
            {
                "NAMESPACE_ID" => Allowed(condition, ["EQ", "IN"], OneOf<ServiceEntry>(values, s => s.Record.NamespaceId)),
                // Portolan has one account: everything is the caller's own.
                "RESOURCE_OWNER" => Allowed(condition, ["EQ"], (Func<ServiceEntry, bool>)(values.Contains("SELF") ? _ => true : _ => false)),
                _ => throw Invalid($"Unknown service filter {name}; use NAMESPACE_ID or RESOURCE_OWNER."),
            });
        }
        return s => predicates.TrueForAll(p => p(s));
    }

    public static Func<OperationRecord, bool> Operations(List<FilterDto>? filters)
    {
        var predicates = new List<Func<OperationRecord, bool>>();
        foreach (var f in filters ?? [])
        {
            var (name, values, condition) = Read(f);
            predicates.Add(name switch
            {
                "NAMESPACE_ID" => Allowed(condition, ["EQ"], Target(values[0], OperationTargetType.Namespace)),
                "SERVICE_ID" => Allowed(condition, ["EQ"], Target(values[0], OperationTargetType.Service)),
                "STATUS" => Allowed(condition, ["EQ", "IN"], OneOf<OperationRecord>(values, o => CloudMapWriter.Wire(o.Status))),
                "TYPE" => Allowed(condition, ["EQ", "IN"], OneOf<OperationRecord>(values, o => CloudMapWriter.Wire(o.Type))),
                "UPDATE_DATE" => Between(condition, values),
                _ => throw Invalid($"Unknown operation filter {name}; use NAMESPACE_ID, SERVICE_ID, STATUS, TYPE or UPDATE_DATE."),
            });
        }
        return o => predicates.TrueForAll(p => p(o));
    }

    private static (string Name, List<string> Values, string Condition) Read(FilterDto f)
    {
        if (string.IsNullOrEmpty(f.Name)) throw Invalid("Every filter needs a Name.");
        if (f.Values is not { Count: > 0 }) throw Invalid($"Filter {f.Name} needs at least one value.");
        return (f.Name, f.Values, f.Condition ?? "EQ");
    }

    private static void Check(string condition, params string[] allowed)
    {
        if (Array.IndexOf(allowed, condition) < 0) throw Invalid($"Condition {condition} is not supported for this filter; use {string.Join(" or ", allowed)}.");
    }

    private static T Allowed<T>(string condition, string[] allowed, T predicate)
    {
        Check(condition, allowed);
        return predicate;
    }

    private static Func<T, bool> OneOf<T>(List<string> values, Func<T, string> field)
    {
        var set = values.ToHashSet(StringComparer.Ordinal);
        return x => set.Contains(field(x));
    }

    private static Func<NamespaceEntry, bool> Text(string condition, List<string> values, Func<NamespaceEntry, string> field)
    {
        Check(condition, "EQ", "BEGINS_WITH");
        var v = values[0];
        return condition == "EQ"
            ? n => string.Equals(field(n), v, StringComparison.OrdinalIgnoreCase)
            : n => field(n).StartsWith(v, StringComparison.OrdinalIgnoreCase);
    }

    private static Func<OperationRecord, bool> Target(string id, OperationTargetType type) =>
        o => o.Targets.TryGetValue(type, out var t) && t == id;

    private static Func<OperationRecord, bool> Between(string condition, List<string> values)
    {
        Check(condition, "BETWEEN");
        if (values.Count != 2) throw Invalid("UPDATE_DATE with BETWEEN needs two values: the start and end as epoch seconds.");
        var from = Epoch(values[0]);
        var to = Epoch(values[1]);
        return o => o.UpdateDate >= from && o.UpdateDate <= to;
    }

    private static DateTimeOffset Epoch(string text)
    {
        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var seconds))
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw Invalid($"'{text}' is not a date: use epoch seconds or ISO 8601.");
    }

    private static AwsServiceException Invalid(string message) => new(ErrorCodes.InvalidInput, message);
}
