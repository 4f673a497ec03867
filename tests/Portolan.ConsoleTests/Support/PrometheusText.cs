using System.Globalization;
using System.Text;

namespace Portolan.ConsoleTests.Support;

/// <summary>One sample line: a metric name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4 (what a Prometheus server scrapes), written for
/// these tests: it rejects what Prometheus would reject (bad names, bad escapes, a TYPE after its samples, a repeated
/// series, garbage after a value) and checks histogram invariants (cumulative buckets ending in +Inf = _count).
/// </summary>
public sealed class PrometheusText
{
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    private PrometheusText(IReadOnlyList<PrometheusSample> samples, Dictionary<string, string> types)
    {
        Samples = samples;
        _types = types;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>The TYPE of a metric family (counter, gauge, histogram, summary, untyped).</summary>
    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    /// <summary>The one sample named <paramref name="name"/> whose labels include <paramref name="labels"/>; throws when none or several match.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Find(name, labels).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new InvalidOperationException($"{matches.Count} samples match {name}{{{string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}.");
    }

    /// <summary>Like <see cref="Value"/>, but 0 when no sample matches (a counter that never moved has no series).</summary>
    public double ValueOrZero(string name, params (string Name, string Value)[] labels) =>
        Find(name, labels).Any() ? Value(name, labels) : 0;

    public IEnumerable<PrometheusSample> Find(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    /// <exception cref="FormatException">The text breaks the format; the message names the line.</exception>
    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenFamilies = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (line.Length == 0) continue;
            try
            {
                if (line[0] == '#')
                {
                    ParseComment(line, types, seenFamilies);
                    continue;
                }

                var sample = ParseSample(line);
                var family = FamilyOf(sample.Name, types);
                seenFamilies.Add(family);
                var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
                if (!series.Add(key)) throw new FormatException($"series {key} appears twice");
                samples.Add(sample);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {n + 1}: {e.Message}: {line}", e);
            }
        }

        if (!text.EndsWith('\n')) throw new FormatException("the exposition must end with a line feed");
        var result = new PrometheusText(samples, types);
        result.CheckHistograms();
        return result;
    }

    private static void ParseComment(string line, Dictionary<string, string> types, HashSet<string> seenFamilies)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE")) return; // a plain comment
        var family = parts[2];
        CheckMetricName(family);
        if (parts[1] == "TYPE")
        {
            var type = parts.Length == 4 ? parts[3] : throw new FormatException("TYPE without a type");
            if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped")) throw new FormatException($"unknown type '{type}'");
            if (seenFamilies.Contains(family)) throw new FormatException($"TYPE of {family} after its samples");
            if (!types.TryAdd(family, type)) throw new FormatException($"second TYPE for {family}");
        }
    }

    private static string FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name)) return name;
        foreach (var suffix in (string[])["_bucket", "_sum", "_count", "_total"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.ContainsKey(name[..^suffix.Length])) return name[..^suffix.Length];
        }

        return name;
    }

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        CheckMetricName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length) throw new FormatException("unterminated label set");
                if (line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var labelName = line[start..i];
                if (labelName.Length == 0 || !(char.IsAsciiLetter(labelName[0]) || labelName[0] == '_') || !labelName.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    throw new FormatException($"bad label name '{labelName}'");
                if (++i >= line.Length || line[i] != '"') throw new FormatException("label value must be quoted");
                i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException("unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c != '\\') { value.Append(c); continue; }
                    if (i >= line.Length) throw new FormatException("dangling escape");
                    value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var e => throw new FormatException($"bad escape '\\{e}'") });
                }

                if (!labels.TryAdd(labelName, value.ToString())) throw new FormatException($"label {labelName} twice");
                if (i < line.Length && line[i] == ',') i++;
                else if (i >= line.Length || line[i] != '}') throw new FormatException("expected ',' or '}' after a label");
            }
        }

        if (i >= line.Length || line[i] != ' ') throw new FormatException("expected a space before the value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw new FormatException("expected a value and an optional timestamp");
        var number = ParseValue(rest[0]);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw new FormatException("bad timestamp");
        return new PrometheusSample(name, labels, number);
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"bad value '{text}'"),
    };

    private static void CheckMetricName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            throw new FormatException($"bad metric name '{name}'");
    }

    /// <summary>Every histogram series: buckets cumulative in ascending le, the last +Inf, equal to _count.</summary>
    private void CheckHistograms()
    {
        foreach (var (family, type) in _types)
        {
            if (type != "histogram") continue;
            var buckets = Samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)));
            foreach (var group in buckets)
            {
                var ordered = group.Select(s => (Le: ParseValue(s.Labels["le"]), s.Value)).ToList();
                for (var k = 1; k < ordered.Count; k++)
                {
                    if (ordered[k].Le <= ordered[k - 1].Le) throw new FormatException($"{family}{{{group.Key}}}: le not ascending");
                    if (ordered[k].Value < ordered[k - 1].Value) throw new FormatException($"{family}{{{group.Key}}}: buckets not cumulative");
                }

                if (ordered.Count == 0 || !double.IsPositiveInfinity(ordered[^1].Le)) throw new FormatException($"{family}{{{group.Key}}}: no +Inf bucket");
                var count = Samples.Single(s => s.Name == family + "_count" && Same(s.Labels, group.First().Labels));
                if (count.Value != ordered[^1].Value) throw new FormatException($"{family}{{{group.Key}}}: +Inf bucket {ordered[^1].Value} != _count {count.Value}");
                if (!Samples.Any(s => s.Name == family + "_sum" && Same(s.Labels, group.First().Labels))) throw new FormatException($"{family}{{{group.Key}}}: no _sum");
            }
        }
    }

    private static bool Same(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> bucketLabels) =>
        labels.Count == bucketLabels.Count - 1 && labels.All(l => bucketLabels.TryGetValue(l.Key, out var v) && v == l.Value);
}
