using System.Diagnostics;
using System.Globalization;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// What a restart of <c>portolan serve</c> does to ECS services. Killed (SIGKILL, a crash): the task processes keep
/// running and the next Portolan adopts them (same PIDs, checked by start time). Stopped (SIGTERM): Portolan stops its
/// tasks on the way out and records them STOPPED; the next Portolan starts new ones for the desired count.
/// </summary>
public sealed class RestartTests
{
    private static Task<PortolanProcess> ServeAsync(string dataDir) =>
        PortolanProcess.StartAsync(["serve", "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data-dir", dataDir]);

    private static bool Alive(string pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    [Fact]
    public async Task Tasks_survive_a_crash_of_Portolan_and_are_replaced_after_a_clean_stop()
    {
        using var dataDir = new TempDirectory("portolan-ecs-restart");
        const string cluster = "restart", service = "sleepers";
        Dictionary<string, string> before;

        var first = await ServeAsync(dataDir.Path);
        try
        {
            using var api = new AwsJson(first.ApiUri);
            await api.EcsAsync("CreateCluster", new { clusterName = cluster });
            await api.EcsAsync("RegisterTaskDefinition", new { family = "sleeper", containerDefinitions = new[] { new { name = "app", image = "x", command = new[] { "sleep", "600" } } } });
            await api.EcsAsync("CreateService", new { cluster, serviceName = service, taskDefinition = "sleeper", desiredCount = 2 });
            await api.WaitForServiceAsync(cluster, service, s => s.GetProperty("runningCount").GetInt32() == 2, "2 running tasks");
            before = await api.TaskPidsAsync(cluster, service);
            Assert.Equal(2, before.Count);

            // A crash: only Portolan dies (its task processes lead their own sessions).
            using (Process.Start("kill", ["-KILL", first.ProcessId.ToString(CultureInfo.InvariantCulture)])) { }
            await first.WaitForExitAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }
        Assert.All(before.Values, pid => Assert.True(Alive(pid), $"task process {pid} outlived Portolan"));

        var second = await ServeAsync(dataDir.Path);
        try
        {
            using var api = new AwsJson(second.ApiUri);
            var adopted = await api.TaskPidsAsync(cluster, service);
            Assert.Equal(before, adopted);
            var svc = await api.WaitForServiceAsync(cluster, service, s => s.GetProperty("runningCount").GetInt32() == 2, "2 running tasks");
            Assert.Contains("restart/sleepers", svc.Str("serviceArn"), StringComparison.Ordinal);
            Assert.Equal(before, await api.TaskPidsAsync(cluster, service));

            // An adopted process that dies is noticed (Portolan is not its parent any more) and replaced.
            var (victim, victimPid) = adopted.First();
            using (Process.Start("kill", ["-KILL", victimPid])) { }
            await api.WaitForServiceAsync(cluster, service,
                s => s.GetProperty("runningCount").GetInt32() == 2 && !api.TaskPidsAsync(cluster, service).Result.ContainsKey(victim), "a replacement");

            // A clean stop: Portolan stops its tasks before it exits.
            before = await api.TaskPidsAsync(cluster, service);
            Assert.Equal(0, await second.StopAsync());
        }
        finally
        {
            await second.DisposeAsync();
        }
        Assert.All(before.Values, pid => Assert.False(Alive(pid), $"task process {pid} was stopped with Portolan"));

        var third = await ServeAsync(dataDir.Path);
        try
        {
            using var api = new AwsJson(third.ApiUri);
            var stopped = await api.EcsAsync("DescribeTasks", new { cluster, tasks = before.Keys.ToArray() });
            Assert.All(stopped.GetProperty("tasks").EnumerateArray(), t =>
                Assert.Equal(("STOPPED", "TerminationNotice"), (t.Str("lastStatus"), t.Str("stopCode"))));
            await api.WaitForServiceAsync(cluster, service, s => s.GetProperty("runningCount").GetInt32() == 2, "2 new tasks");
            var after = await api.TaskPidsAsync(cluster, service);
            Assert.Empty(after.Keys.Intersect(before.Keys));
            await api.EcsAsync("DeleteService", new { cluster, service, force = true });
            await api.WaitForServiceAsync(cluster, service, s => s.Str("status") == "INACTIVE", "INACTIVE");
        }
        finally
        {
            await third.DisposeAsync();
        }
    }
}
