using System.Globalization;
using System.Net;

namespace Portolan.Bench;

/// <summary>
/// The services and instances a peer zone file describes (the one bench/peers/dns-peers.sh writes), read back so
/// that Portolan is given exactly the records NSD and Knot serve: every <c>&lt;service&gt; SRV 1 1 PORT
/// &lt;instance&gt;.&lt;service&gt;.&lt;zone&gt;.</c> makes an instance, whose address is the target's A record.
/// Only the <c>$ORIGIN</c>/<c>$TTL</c> directives and one-line <c>owner IN TYPE rdata</c> records that file uses are read.
/// </summary>
internal sealed record ZoneFile(string Origin, int Ttl, IReadOnlyList<ZoneService> Services)
{
    public static ZoneFile Read(string path)
    {
        string? origin = null;
        var ttl = 60;
        var a = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var srv = new List<(string Owner, int Port, string Target)>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Split(';')[0].Trim();
            if (line.Length == 0) continue;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f[0] == "$ORIGIN") { origin = f[1].TrimEnd('.'); continue; }
            if (f[0] == "$TTL") { ttl = int.Parse(f[1], CultureInfo.InvariantCulture); continue; }
            if (origin is null) throw new FormatException($"{path}: records before $ORIGIN");
            if (f.Length < 4 || f[1] != "IN") throw new FormatException($"{path}: unexpected line '{line}'");
            var owner = f[0] == "@" ? origin : $"{f[0]}.{origin}";
            switch (f[2])
            {
                case "A":
                    if (!a.TryGetValue(owner, out var list)) a[owner] = list = [];
                    list.Add(IPAddress.Parse(f[3]).ToString());
                    break;
                case "SRV":
                    srv.Add((owner, int.Parse(f[5], CultureInfo.InvariantCulture), f[6].TrimEnd('.')));
                    break;
            }
        }

        if (origin is null) throw new FormatException($"{path}: no $ORIGIN");
        var services = new List<ZoneService>();
        foreach (var group in srv.GroupBy(s => s.Owner, StringComparer.OrdinalIgnoreCase))
        {
            var service = group.Key[..^(origin.Length + 1)];
            var instances = new List<ZoneInstance>();
            foreach (var (_, port, target) in group)
            {
                var suffix = $".{group.Key}";
                if (!target.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                    throw new FormatException($"SRV target {target} is not an instance name under {group.Key}");
                if (!a.TryGetValue(target, out var addresses) || addresses.Count != 1)
                    throw new FormatException($"SRV target {target} needs exactly one A record");
                instances.Add(new ZoneInstance(target[..^suffix.Length], addresses[0], port));
            }

            // Cloud Map makes the service's A records from its instances: the zone must say the same.
            var serviceA = a.TryGetValue(group.Key, out var own) ? own.Order().ToArray() : [];
            var fromInstances = instances.Select(i => i.Ipv4).Order().ToArray();
            if (!serviceA.SequenceEqual(fromInstances))
                throw new FormatException($"{group.Key}: A records {string.Join(' ', serviceA)} differ from its instances' {string.Join(' ', fromInstances)}");
            services.Add(new ZoneService(service, instances));
        }

        return new ZoneFile(origin, ttl, services);
    }
}

internal sealed record ZoneService(string Name, IReadOnlyList<ZoneInstance> Instances);

internal sealed record ZoneInstance(string Id, string Ipv4, int Port);
