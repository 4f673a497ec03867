using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Portolan.Bench;

/// <summary>The DNS benchmark's steps that need Portolan's API: loading the peers' zone, and timing propagation.</summary>
internal static class DnsCommands
{
    /// <summary>
    /// Registers the services and instances of a peer zone file in Portolan, through the Cloud Map API as a user
    /// would: a private DNS namespace named after the zone, one MULTIVALUE service with A and SRV records per
    /// service in the zone, one instance per SRV target.
    /// </summary>
    public static async Task<int> SetupAsync(Options o)
    {
        var zone = ZoneFile.Read(o.Get("zone"));
        var concurrency = o.GetInt("concurrency", 16);
        using var client = new CloudMapClient(o.Url, concurrency);
        var ns = await client.EnsureDnsNamespaceAsync(zone.Origin, zone.Ttl);
        var instances = 0;
        foreach (var service in zone.Services)
        {
            var id = await client.EnsureServiceAsync(ns, service.Name, DnsConfig(zone.Ttl, "A", "SRV"));
            await Parallel.ForEachAsync(service.Instances, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
                await client.RegisterInstanceAsync(id, i.Id, i.Ipv4, i.Port, ct));
            instances += service.Instances.Count;
        }

        Console.Out.WriteLine($"namespace={zone.Origin} ({ns})");
        Console.Out.WriteLine($"services={zone.Services.Count}");
        Console.Out.WriteLine($"instances={instances}");
        return 0;
    }

    private enum Change
    {
        Register,
        Unhealthy,
        Healthy,
        Deregister,
    }

    /// <summary>
    /// Times how long registry changes take to reach DNS answers. Per sample, an instance is registered, marked
    /// UNHEALTHY, HEALTHY again, and deregistered (UpdateInstanceCustomHealthStatus for health); after each call
    /// returns, a UDP probe queries the service's A records back to back until the answer shows the change.
    /// Two healthy instances stay registered throughout, so an unhealthy one leaves the answer (no fail-open) and
    /// every answer holds all records (below MULTIVALUE's cap of 8).
    /// </summary>
    public static async Task<int> PropagationAsync(Options o)
    {
        var nsName = o.Get("namespace", "domaina");
        var samples = o.GetInt("samples", 200);
        var dns = IPEndPoint.Parse(o.Get("dns"));
        var csv = o.Get("csv", "");
        using var client = new CloudMapClient(o.Url, 2);

        var ns = await client.EnsureDnsNamespaceAsync(nsName, 60);
        var serviceName = o.Get("service", "propagation");
        var service = await client.EnsureServiceAsync(ns, serviceName, DnsConfig(1, "A"), customHealth: true);
        await client.RegisterInstanceAsync(service, "stable-1", "10.250.0.1", 80);
        await client.RegisterInstanceAsync(service, "stable-2", "10.250.0.2", 80);

        using var probe = new DnsProbe(dns, $"{serviceName}.{nsName}");
        if (!probe.Holds(DnsProbe.ToUInt32("10.250.0.1")))
        {
            // Setup itself must have propagated before timing starts (bounded wait).
            var until = Stopwatch.StartNew();
            while (!probe.Holds(DnsProbe.ToUInt32("10.250.0.1")))
            {
                if (until.Elapsed > TimeSpan.FromSeconds(10)) throw new InvalidOperationException($"{serviceName}.{nsName} never answered with its instances");
                await Task.Delay(10);
            }
        }

        var results = new List<(int Sample, Change Change, double CallMs, double AfterReturnMs, int Polls)>();
        var timeouts = 0;
        for (var k = 0; k < samples; k++)
        {
            var id = $"p-{k}";
            var ip = $"10.251.{(k >> 8) & 255}.{k & 255}";
            var address = DnsProbe.ToUInt32(ip);
            foreach (var change in Enum.GetValues<Change>())
            {
                var start = Stopwatch.GetTimestamp();
                switch (change)
                {
                    case Change.Register:
                        await client.RegisterInstanceAsync(service, id, ip, 80);
                        break;
                    case Change.Unhealthy:
                    case Change.Healthy:
                        await client.CallAsync("UpdateInstanceCustomHealthStatus", new JsonObject
                        {
                            ["ServiceId"] = service, ["InstanceId"] = id, ["Status"] = change == Change.Healthy ? "HEALTHY" : "UNHEALTHY",
                        });
                        break;
                    case Change.Deregister:
                        await client.CallAsync("DeregisterInstance", new JsonObject { ["ServiceId"] = service, ["InstanceId"] = id });
                        break;
                }

                var returned = Stopwatch.GetTimestamp();
                var wanted = change is Change.Register or Change.Healthy;
                var polls = 0;
                var seen = false;
                while (Stopwatch.GetElapsedTime(returned) < TimeSpan.FromSeconds(5))
                {
                    polls++;
                    if (probe.Holds(address) == wanted)
                    {
                        seen = true;
                        break;
                    }
                }

                var visible = Stopwatch.GetTimestamp();
                if (!seen) timeouts++;
                results.Add((k, change, Ms(start, returned), seen ? Ms(returned, visible) : double.PositiveInfinity, polls));
            }
        }

        if (csv.Length > 0)
        {
            var text = new StringBuilder("sample,change,call_ms,visible_after_return_ms,polls\n");
            foreach (var r in results)
                text.Append(CultureInfo.InvariantCulture, $"{r.Sample},{r.Change},{r.CallMs:F3},{r.AfterReturnMs:F3},{r.Polls}\n");
            await File.WriteAllTextAsync(csv, text.ToString());
        }

        Console.Out.WriteLine($"samples={samples} per change, timeouts (not visible within 5 s)={timeouts}");
        Console.Out.WriteLine("change      visible after the call returned (ms): p50 p90 p99 max | from the call's start: p99 max | first probe already saw it");
        foreach (var group in results.GroupBy(r => r.Change))
        {
            Summarize(group.Key.ToString().ToLowerInvariant(), [.. group]);
        }

        Summarize("all", results);
        return timeouts == 0 ? 0 : 1;
    }

    private static void Summarize(string label, IReadOnlyList<(int Sample, Change Change, double CallMs, double AfterReturnMs, int Polls)> rows)
    {
        var after = rows.Select(r => r.AfterReturnMs).Order().ToArray();
        var total = rows.Select(r => r.CallMs + r.AfterReturnMs).Order().ToArray();
        var first = rows.Count(r => r.Polls == 1);
        Console.Out.WriteLine(FormattableString.Invariant(
            $"{label,-11} {P(after, 50):F3} {P(after, 90):F3} {P(after, 99):F3} {after[^1]:F3} | {P(total, 99):F3} {total[^1]:F3} | {first}/{after.Length}"));
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double P(double[] sorted, int percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static JsonObject DnsConfig(int ttl, params string[] types) => new()
    {
        ["RoutingPolicy"] = "MULTIVALUE",
        ["DnsRecords"] = new JsonArray([.. types.Select(t => (JsonNode)new JsonObject { ["Type"] = t, ["TTL"] = ttl })]),
    };
}
