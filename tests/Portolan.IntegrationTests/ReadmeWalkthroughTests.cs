using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests;

/// <summary>
/// The README's core scenario, typed as a user would against <c>portolan serve</c>: a private DNS namespace
/// <c>domaina</c>, service <c>echoservice</c> (A + SRV, MULTIVALUE, custom health), two instances, discover-instances.
/// The transcript (commands and real output) goes to README-walkthrough.txt next to this file, for the README.
/// The committed transcript must list the same commands as this test runs (ids aside).
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    private const string TranscriptFile = "README-walkthrough.txt";
    private const int DefaultPort = 7766;

    /// <summary>Set to 1 to rewrite the committed transcript with this run's output.</summary>
    private const string UpdateVariable = "PORTOLAN_UPDATE_WALKTHROUGH";

    [Fact]
    public async Task Core_scenario_as_a_user_types_it()
    {
        using var home = new TempDirectory("portolan-readme");
        var dataDir = Path.Combine(home.Path, ".portolan");
        await using var server = await PortolanProcess.StartAsync(["serve", "--api", "127.0.0.1:0", "--data-dir", dataDir]);
        var port = server.ApiUri.Port;
        var endpoint = CloudMapServer.LocalhostEndpoint(port);
        var sd = new Sd(new AwsCli(endpoint));
        var transcript = new Transcript(endpoint, port);
        transcript.Serve(server.StdOut.Replace(home.Path, "/home/you", StringComparison.Ordinal));

        async Task<JsonElement> Step(params string[] args)
        {
            var result = await sd.RunAsync(args);
            Assert.True(result.ExitCode == 0, $"aws servicediscovery {string.Join(' ', args)}\n{result}");
            transcript.Command(args, result.StdOut);
            return Json.Parse(result.StdOut);
        }

        var created = await Step("create-private-dns-namespace", "--name", "domaina", "--vpc", "vpc-1234");
        var operation = (await Step("get-operation", "--operation-id", created.Str("OperationId"))).GetProperty("Operation");
        Assert.Equal("SUCCESS", operation.Str("Status"));
        var namespaceId = operation.GetProperty("Targets").Str("NAMESPACE");

        var service = (await Step("create-service", "--name", "echoservice",
            "--dns-config", $"NamespaceId={namespaceId},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=A,TTL=60}},{{Type=SRV,TTL=60}}]",
            "--health-check-custom-config", "FailureThreshold=1")).GetProperty("Service");
        Assert.Equal("echoservice", service.Str("Name"));
        Assert.Equal(namespaceId, service.Str("NamespaceId"));
        var serviceId = service.Str("Id");

        await Step("register-instance", "--service-id", serviceId, "--instance-id", "echo-1", "--attributes", "AWS_INSTANCE_IPV4=10.0.0.1,AWS_INSTANCE_PORT=80");
        await Step("register-instance", "--service-id", serviceId, "--instance-id", "echo-2", "--attributes", "AWS_INSTANCE_IPV4=10.0.0.2,AWS_INSTANCE_PORT=80");

        var discovered = await Step("discover-instances", "--namespace-name", "domaina", "--service-name", "echoservice");
        var instances = discovered.GetProperty("Instances").EnumerateArray().OrderBy(i => i.Str("InstanceId"), StringComparer.Ordinal).ToList();
        Assert.Equal(["echo-1", "echo-2"], instances.Select(i => i.Str("InstanceId")));
        Assert.All(instances, i =>
        {
            Assert.Equal("domaina", i.Str("NamespaceName"));
            Assert.Equal("echoservice", i.Str("ServiceName"));
            Assert.Equal("HEALTHY", i.Str("HealthStatus"));
            Assert.Equal("80", i.Map("Attributes")["AWS_INSTANCE_PORT"]);
        });
        Assert.Equal(["10.0.0.1", "10.0.0.2"], instances.Select(i => i.Map("Attributes")["AWS_INSTANCE_IPV4"]));

        var text = transcript.ToString();
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, TranscriptFile), text);
        var committed = Path.Combine(SourceTree.ProjectDirectory, TranscriptFile);
        if (!File.Exists(committed) || Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(committed, text);
        }
        else
        {
            Assert.True(
                Commands(text).SequenceEqual(Commands(await File.ReadAllTextAsync(committed))),
                $"{committed} lists other commands than this test runs; rerun it with {UpdateVariable}=1 and commit the file.\n{text}");
        }
    }

    /// <summary>The command lines of a transcript with ids replaced, so runs compare equal.</summary>
    private static List<string> Commands(string transcript) =>
        transcript.Split('\n').Where(l => l.StartsWith("$ ", StringComparison.Ordinal)).Select(l => Ids().Replace(l, "<id>")).ToList();

    [GeneratedRegex(@"\b(ns-[a-z2-7]{16}|srv-[a-z2-7]{16}|[a-z2-7]{32}-[a-z2-7]{8})\b")]
    private static partial Regex Ids();

    /// <summary>Builds the transcript: shell commands as typed, then their output, with the test's port shown as the default.</summary>
    private sealed class Transcript(Uri endpoint, int port)
    {
        private readonly StringBuilder _text = new();

        public void Serve(string stdout)
        {
            _text.Append("""
                # The core Cloud Map scenario against `portolan serve`, typed as a user would, with Debian's aws CLI 2.9.19.
                # Recorded by tests/Portolan.IntegrationTests/ReadmeWalkthroughTests.cs, which runs exactly these commands
                # and checks their output. The test binds an ephemeral port and a temporary data dir; they are shown here
                # as the defaults (port 7766, ./.portolan in /home/you). Ids differ on every run.
                # discover-instances goes to the host data-portolan.localhost (the CLI adds "data-"); on Debian,
                # libnss-myhostname resolves every *.localhost name to loopback, hence --endpoint-url http://portolan.localhost:7766.

                $ portolan serve

                """);
            _text.Append(Normalize(stdout).TrimEnd('\n')).Append("\n\n");
            _text.Append("$ export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1\n");
        }

        public void Command(string[] args, string stdout)
        {
            var line = new StringBuilder("$ aws servicediscovery");
            foreach (var arg in args)
            {
                line.Append(' ').Append(Quote(arg));
            }
            line.Append(" --endpoint-url ").Append(endpoint.GetLeftPart(UriPartial.Authority));
            _text.Append(Normalize(line.ToString())).Append('\n');
            _text.Append(Normalize(stdout).TrimEnd('\n')).Append("\n\n");
        }

        public override string ToString() => _text.ToString().TrimEnd('\n') + "\n";

        private string Normalize(string text) => text.Replace($":{port}", $":{DefaultPort}", StringComparison.Ordinal);

        /// <summary>Quotes an argument for a POSIX shell when it needs it.</summary>
        private static string Quote(string arg) =>
            arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@".Contains(c, StringComparison.Ordinal))
                ? arg
                : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
