using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Storage.Tests.Sqlite;

/// <summary>
/// Durability against a hard kill: a child process (Portolan.Storage.CrashHelper) writes concurrently and
/// prints each revision only after the store acknowledged it; the test SIGKILLs it mid-stream (Process.Kill is
/// SIGKILL on Unix), reopens the file and checks every acknowledged write, and its history, is there.
/// </summary>
public sealed partial class SqliteCrashTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_minus_9()
    {
        using var directory = new TempDirectory("portolan-crash");
        var db = Path.Combine(directory.Path, "crash.db");
        var acks = new List<(long Revision, string Key)>();

        using (var child = StartHelper(db))
        {
            // Event-based reading: the runtime drains both pipes on its own threads, so a full stderr or stdout
            // pipe can never stall the child while the test waits on the other one.
            var lines = Channel.CreateUnbounded<string>();
            var stderr = new StringBuilder();
            child.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    lines.Writer.TryComplete();
                }
                else
                {
                    lines.Writer.TryWrite(e.Data);
                }
            };
            child.ErrorDataReceived += (_, e) =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            };
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            try
            {
                using var timeout = new CancellationTokenSource(Timeout);
                while (acks.Count < 2000)
                {
                    if (!await lines.Reader.WaitToReadAsync(timeout.Token))
                    {
                        lock (stderr)
                        {
                            Assert.Fail($"helper exited early (code {child.ExitCode}): {stderr}");
                        }
                    }

                    while (lines.Reader.TryRead(out var line))
                    {
                        Parse(line, acks);
                    }
                }
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync().WaitAsync(Timeout); // also waits for the pipes' end of stream
            }

            // Lines the child printed before it died are acknowledgements too.
            while (lines.Reader.TryRead(out var line))
            {
                Parse(line, acks);
            }

            Assert.NotEqual(0, child.ExitCode); // it was killed, not finished
        }

        await using var store = await SqliteStore.OpenAsync(db);
        var revision = await store.GetRevisionAsync();
        Assert.True(revision >= acks.Max(a => a.Revision), $"revision {revision} lost acknowledged writes");
        foreach (var (ackRevision, key) in acks)
        {
            foreach (var suffix in new[] { "/a", "/b" })
            {
                var kv = await store.GetAsync(key + suffix);
                Assert.True(kv is not null, $"acknowledged {key}{suffix} at {ackRevision} is missing");
                Assert.Equal((ackRevision, key), (kv.ModRevision, Encoding.UTF8.GetString(kv.Value.Span)));
            }
        }

        // The change log survived as well: a watch from the start replays every revision, acked or not.
        using var cancel = new CancellationTokenSource(Timeout);
        var expected = 1L;
        var acked = acks.ToDictionary(a => a.Revision, a => a.Key);
        await foreach (var batch in store.WatchAsync("/crash/", 0, cancel.Token))
        {
            Assert.Equal(expected++, batch.Revision);
            if (acked.TryGetValue(batch.Revision, out var key))
            {
                Assert.Equal([key + "/a", key + "/b"], batch.Events.Select(e => e.Kv.Key));
            }

            if (batch.Revision == revision)
            {
                break;
            }
        }

        Assert.Equal(revision + 1, expected);
    }

    private static void Parse(string line, List<(long, string)> acks)
    {
        // The child may die mid-line: a line counts only if its key is complete (8 digits end every key).
        var parts = line.Split(' ');
        if (parts is ["ack", var revision, var key] && CompleteKey().IsMatch(key))
        {
            acks.Add((long.Parse(revision, CultureInfo.InvariantCulture), key));
        }
    }

    [GeneratedRegex(@"^/crash/w[0-9]+/[0-9]{8}$")]
    private static partial Regex CompleteKey();

    private static Process StartHelper(string db)
    {
        var helper = typeof(SqliteCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CrashHelperPath").Value!;
        Assert.True(File.Exists(helper), $"crash helper not built at {helper}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", helper, db, "8" })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the crash helper");
    }

    private static string DotnetHost()
    {
        // The dotnet CLI tells child processes where it lives; the test host itself usually runs under it.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
