using System.Globalization;

namespace Portolan.Cli;

/// <summary>
/// Parses <c>portolan serve [--data-dir DIR] [--api HOST:PORT]... [--dns HOST:PORT] [--store URI] [--region R]
/// [--account N] [--auth FILE] [--health-interval SECONDS] [--node-name NAME] [--task-address IP] [--strict-aws] [--dns-forward HOST:PORT]...
/// [--log-format text|json]</c>, <c>--help</c> and <c>--version</c>. Options take <c>--name VALUE</c> or
/// <c>--name=VALUE</c>. Hand-written: the surface is small and the error messages matter more than a framework.
/// </summary>
internal static class CommandLine
{
    public static CliCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            return new CliCommand.Invalid("missing command.");
        }

        switch (args[0])
        {
            case "-h" or "--help" or "help":
                return new CliCommand.Help();
            case "--version" or "version":
                return new CliCommand.Version();
            case "serve":
                return ParseServe(args);
            default:
                return new CliCommand.Invalid(args[0].StartsWith('-') ? $"unknown option '{args[0]}'." : $"unknown command '{args[0]}'.");
        }
    }

    private static CliCommand ParseServe(IReadOnlyList<string> args)
    {
        var options = new PortolanOptions();
        List<HostPort>? api = null;
        List<HostPort>? forwarders = null;
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return new CliCommand.Help();
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return new CliCommand.Invalid($"unexpected argument '{arg}'.");
            }

            if (arg == "--strict-aws")
            {
                options = options with { StrictAws = true };
                continue;
            }

            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg : arg[..eq];
            string value;
            if (eq >= 0)
            {
                value = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Count && !IsKnownOption(args[i + 1]))
            {
                value = args[++i];
            }
            else
            {
                return IsKnownOption(name) ? new CliCommand.Invalid($"option '{name}' needs a value.") : Unknown(name);
            }

            if (value.Length == 0)
            {
                return new CliCommand.Invalid($"option '{name}' needs a value.");
            }

            string? error = null;
            switch (name)
            {
                case "--data-dir":
                    options = options with { DataDir = value };
                    break;
                case "--api":
                    if (HostPort.TryParse(value, out var apiEndpoint, out error))
                    {
                        (api ??= []).Add(apiEndpoint);
                    }

                    break;
                case "--dns":
                    if (HostPort.TryParse(value, out var dnsEndpoint, out error))
                    {
                        options = options with { DnsEndpoint = dnsEndpoint };
                    }

                    break;
                case "--dns-forward":
                    if (HostPort.TryParse(value, out var upstream, out error))
                    {
                        if (upstream.Port == 0) error = $"'{value}': an upstream resolver needs a port (e.g. 1.1.1.1:53).";
                        else (forwarders ??= []).Add(upstream);
                    }

                    break;
                case "--store":
                    error = CheckStore(value);
                    options = options with { Store = value };
                    break;
                case "--region":
                    error = CheckRegion(value);
                    options = options with { Region = value };
                    break;
                case "--account":
                    error = value.Length == 12 && value.All(char.IsAsciiDigit) ? null : $"'{value}' is not a 12-digit AWS account id.";
                    options = options with { Account = value };
                    break;
                case "--auth":
                    options = options with { AuthFile = value };
                    break;
                case "--log-format":
                    if (value is "text" or "json") options = options with { LogFormat = value == "json" ? LogFormat.Json : LogFormat.Text };
                    else error = $"'{value}' is not a log format: use text or json.";
                    break;
                case "--health-interval":
                    error = CheckSeconds(value, 1, 300, out var interval);
                    options = options with { HealthInterval = interval };
                    break;
                case "--node-name":
                    error = value.Contains('/', StringComparison.Ordinal) || value.Any(char.IsWhiteSpace) ? $"'{value}' is not a node name (no '/' or spaces)." : null;
                    options = options with { NodeName = value };
                    break;
                case "--task-address":
                    // An IPv4 address (Cloud Map's AWS_INSTANCE_IPV4); 0.0.0.0 is nowhere to connect to.
                    error = System.Net.IPAddress.TryParse(value, out var taskAddress) && taskAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                        && !taskAddress.Equals(System.Net.IPAddress.Any) ? null : $"'{value}' is not an IPv4 address other hosts can reach.";
                    options = options with { TaskAddress = value };
                    break;
                default:
                    return Unknown(name);
            }

            if (error is not null)
            {
                return new CliCommand.Invalid($"{name}: {error}");
            }
        }

        if (forwarders is not null) options = options with { DnsForwarders = forwarders };
        return new CliCommand.Serve(api is null ? options : options with { ApiEndpoints = api });
    }

    private static readonly string[] KnownOptions = ["--data-dir", "--api", "--dns", "--dns-forward", "--store", "--region", "--account", "--auth", "--health-interval", "--node-name", "--task-address", "--strict-aws", "--log-format", "--help", "-h"];

    private static bool IsKnownOption(string arg)
    {
        var eq = arg.IndexOf('=');
        return KnownOptions.Contains(eq < 0 ? arg : arg[..eq]);
    }

    private static CliCommand.Invalid Unknown(string name) => new($"unknown option '{name}'.");

    private static string? CheckStore(string value) =>
        value.StartsWith("sqlite:", StringComparison.Ordinal) && value.Length > "sqlite:".Length ? null
        : value.StartsWith("etcd://", StringComparison.Ordinal) ? CheckEtcdStore(value)
        : $"'{value}' is not a store URI: use sqlite:PATH or etcd://HOST:PORT[,HOST:PORT...].";

    /// <summary>A whole or fractional number of seconds in [min, max], e.g. "5" or "0.5"; a trailing "s" is allowed.</summary>
    private static string? CheckSeconds(string value, double min, double max, out TimeSpan span)
    {
        var ok = double.TryParse(value.EndsWith('s') ? value[..^1] : value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= min && seconds <= max;
        span = ok ? TimeSpan.FromSeconds(seconds) : default;
        return ok ? null : string.Create(CultureInfo.InvariantCulture, $"'{value}' is not a number of seconds between {min} and {max}.");
    }

    private static string? CheckEtcdStore(string value)
    {
        try
        {
            Portolan.Storage.Etcd.EtcdStoreOptions.Parse(value);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>Region names are lower-case words and digits joined by dashes (us-east-1, eu-central-2, local).</summary>
    private static string? CheckRegion(string value)
    {
        var valid = value.Length <= 32 && char.IsAsciiLetterLower(value[0]) && !value.EndsWith('-')
            && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
        return valid ? null : string.Create(CultureInfo.InvariantCulture, $"'{value}' is not a region name (like us-east-1).");
    }
}
