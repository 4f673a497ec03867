using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portolan.IntegrationTests.Support;

/// <summary>
/// The AWS SDK for JavaScript v3 (<c>@aws-sdk/client-servicediscovery</c>, pinned in tests/js-sdk/package-lock.json and
/// installed there by <c>npm ci</c>), driven through tests/js-sdk/servicediscovery.mjs: a batch of calls in, one result per
/// call out. Used for the operations Debian's CLI 2.9.19 does not know.
/// </summary>
public sealed class JsSdk(Uri endpoint)
{
    /// <summary>Send DiscoverInstances* to the endpoint itself (the SDK's <c>disableHostPrefix</c>) instead of <c>data-&lt;host&gt;</c>.</summary>
    public bool DisableHostPrefix { get; init; }

    public static string Folder { get; } = Path.Combine(SourceTree.RepositoryRoot, "tests", "js-sdk");

    /// <summary>One call: the operation name as in the API (<c>DiscoverInstancesRevision</c>) and its input.</summary>
    public sealed record Call(string Op, object? Input = null);

    /// <summary>What a call returned: its output, or the service error's name and message.</summary>
    public sealed record Result(bool Ok, JsonElement Output, string? ErrorName, string? ErrorMessage, int? HttpStatusCode)
    {
        public JsonElement Ensure() => Ok ? Output : throw new InvalidOperationException($"{ErrorName}: {ErrorMessage}");

        public override string ToString() => Ok ? Output.ToString() : $"{ErrorName} ({HttpStatusCode}): {ErrorMessage}";
    }

    public async Task<IReadOnlyList<Result>> RunAsync(params Call[] calls)
    {
        var module = Path.Combine(Folder, "node_modules", "@aws-sdk", "client-servicediscovery", "package.json");
        if (!File.Exists(module))
        {
            throw new InvalidOperationException($"The JS SDK is not installed: run `npm ci` in {Folder} (.ci/run does).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("servicediscovery.mjs");
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase) || name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }
        start.Environment["PORTOLAN_ENDPOINT"] = endpoint.GetLeftPart(UriPartial.Authority);
        start.Environment["PORTOLAN_DISABLE_HOST_PREFIX"] = DisableHostPrefix ? "true" : "false";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["NODE_NO_WARNINGS"] = "1";

        var input = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
        {
            ["op"] = c.Op,
            ["input"] = JsonSerializer.SerializeToNode(c.Input ?? new object()),
        }).ToArray());

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node servicediscovery.mjs exited {process.ExitCode}.\nstdout: {await stdout}\nstderr: {await stderr}");
        }

        using var doc = JsonDocument.Parse(await stdout);
        return doc.RootElement.EnumerateArray().Select(r => r.GetProperty("ok").GetBoolean()
            ? new Result(true, r.GetProperty("output").Clone(), null, null, null)
            : new Result(false, default,
                r.GetProperty("error").Str("name"),
                r.GetProperty("error").OptStr("message"),
                r.GetProperty("error").TryGetProperty("httpStatusCode", out var s) ? s.GetInt32() : null)).ToList();
    }
}
