namespace Portolan.ClusterTests;

/// <summary>
/// Two Portolan nodes over one etcd cluster, driven as users do: the aws CLI against one node, dig against the
/// other, the members endpoint, and real failures (SIGKILL of an etcd member or of a node, SIGSTOP of a node).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster) : IAsyncLifetime
{
    public Task InitializeAsync() => cluster.RestoreAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Both_nodes_list_each_other_with_one_leader_and_say_so_at_start()
    {
        var fromA = await cluster.A.MembersAsync();
        var fromB = await cluster.B.MembersAsync();

        Assert.Equal(["a", "b"], fromA.Names.Order());
        Assert.Equal(fromA.Leader, fromB.Leader);
        Assert.Contains(fromA.Leader, new[] { "a", "b" });
        Assert.True(fromA.Member("a").GetProperty("self").GetBoolean());
        Assert.False(fromA.Member("b").GetProperty("self").GetBoolean());
        Assert.Equal(fromA.Leader == "b", fromB.Member("b").GetProperty("leader").GetBoolean());
        var addresses = fromA.Member("b").GetProperty("addresses");
        Assert.Equal(cluster.B.Process.ApiUri.GetLeftPart(UriPartial.Authority), addresses.GetProperty("api")[0].GetString());
        Assert.Equal($"udp://127.0.0.1:{cluster.B.DnsPort}", addresses.GetProperty("dns")[0].GetString());
        Assert.Contains("node: a", cluster.A.Process.StdOut.Split('\n').Select(l => l.Trim()));
        Assert.Contains(cluster.A.Process.StdOut.Split('\n'), l => l.StartsWith("role: leader", StringComparison.Ordinal) || l.StartsWith("role: follower", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_instance_registered_through_node_a_is_answered_by_dns_on_node_b()
    {
        var serviceId = await cluster.CreateServiceAsync(cluster.A, "web");

        (await cluster.A.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "web-1",
            "--attributes", "AWS_INSTANCE_IPV4=10.1.0.1")).EnsureSuccess();

        await Until.TrueAsync(async () => (await cluster.B.DigAsync($"web.{ClusterFixture.Zone}")).SequenceEqual(["10.1.0.1"]), "B to answer web");
        // And the other way round: B writes, A answers, both agree.
        (await cluster.B.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "web-2",
            "--attributes", "AWS_INSTANCE_IPV4=10.1.0.2")).EnsureSuccess();
        await Until.TrueAsync(async () => (await cluster.A.DigAsync($"web.{ClusterFixture.Zone}")).SequenceEqual(["10.1.0.1", "10.1.0.2"]), "A to answer both");
        Assert.Equal(["10.1.0.1", "10.1.0.2"], await cluster.B.DigAsync($"web.{ClusterFixture.Zone}"));
    }

    [Fact]
    public async Task A_service_created_through_node_a_takes_registrations_through_node_b_at_once()
    {
        for (var i = 0; i < 3; i++)
        {
            // No wait between the two calls: b must not answer ServiceNotFound from a snapshot that trails a's write.
            var serviceId = await cluster.CreateServiceAsync(cluster.A, $"fresh{i}");
            (await cluster.B.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "i-1",
                "--attributes", $"AWS_INSTANCE_IPV4=10.4.0.{i + 1}")).EnsureSuccess();
        }
    }

    [Fact]
    public async Task Killing_the_etcd_leader_leaves_writes_and_dns_working_once_a_new_leader_is_elected()
    {
        var serviceId = await cluster.CreateServiceAsync(cluster.A, "api");
        var leader = await cluster.Etcd.LeaderAsync();

        await cluster.Etcd.KillAsync(leader);
        await Until.TrueAsync(async () => await cluster.Etcd.LeaderAsync() != leader, "a new etcd leader");

        // One CLI attempt each (no retries): both nodes write, both answer.
        (await cluster.A.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "api-1",
            "--attributes", "AWS_INSTANCE_IPV4=10.2.0.1")).EnsureSuccess();
        (await cluster.B.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "api-2",
            "--attributes", "AWS_INSTANCE_IPV4=10.2.0.2")).EnsureSuccess();
        foreach (var node in new[] { cluster.A, cluster.B })
        {
            await Until.TrueAsync(async () => (await node.DigAsync($"api.{ClusterFixture.Zone}")).SequenceEqual(["10.2.0.1", "10.2.0.2"]), $"{node.Name} to answer api");
        }

        // A node whose lease renewals went to the killed member may have been dropped for a moment (3 s TTL);
        // it registers again by itself.
        await Until.TrueAsync(async () => (await cluster.A.MembersAsync()).Names.SetEquals(["a", "b"]), "both nodes to be members again");
    }

    [Fact]
    public async Task A_killed_node_is_dropped_and_the_survivor_leads()
    {
        var leader = (await cluster.A.MembersAsync()).Leader!;
        var (dead, survivor) = leader == "a" ? (cluster.A, cluster.B) : (cluster.B, cluster.A);

        await dead.Process.KillAsync();

        await Until.TrueAsync(async () =>
        {
            var members = await survivor.MembersAsync();
            return members.Names.SetEquals([survivor.Name]) && members.Leader == survivor.Name;
        }, "the survivor to lead alone");
    }

    [Fact]
    public async Task A_node_cut_off_while_history_is_compacted_relists_and_catches_up()
    {
        // Node c talks to member 0 only, so stopping that member cuts its watch off for sure.
        var serviceId = await cluster.CreateServiceAsync(cluster.A, "batch");
        var c = await cluster.StartNodeAsync("c", "etcd://" + cluster.Etcd.ClientEndpoints[0]);

        // 1. The member goes away and comes back: the watch resumes from the last revision it delivered.
        await cluster.Etcd.KillAsync(0);
        (await cluster.A.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "batch-1",
            "--attributes", "AWS_INSTANCE_IPV4=10.3.0.1")).EnsureSuccess();
        await cluster.Etcd.RestartAsync(0);
        await Until.TrueAsync(async () => (await c.DigAsync($"batch.{ClusterFixture.Zone}")).SequenceEqual(["10.3.0.1"]), "c to catch up after the restart");

        // 2. Frozen while its member restarts and the history it needs is compacted away: on waking, its watch
        //    can't resume (compacted), so it re-reads everything; its lease expired meanwhile, so it rejoins too.
        await c.SignalAsync("STOP");
        try
        {
            await cluster.Etcd.KillAsync(0);
            (await cluster.A.Cli.RunAsync("servicediscovery", "register-instance", "--service-id", serviceId, "--instance-id", "batch-2",
                "--attributes", "AWS_INSTANCE_IPV4=10.3.0.2")).EnsureSuccess();
            (await cluster.A.Cli.RunAsync("servicediscovery", "deregister-instance", "--service-id", serviceId, "--instance-id", "batch-1")).EnsureSuccess();
            await Until.TrueAsync(async () => !(await cluster.A.MembersAsync()).Names.Contains("c"), "c's lease to expire");
            await cluster.Etcd.CompactAsync();
            await cluster.Etcd.RestartAsync(0);
        }
        finally
        {
            await c.SignalAsync("CONT");
        }

        await Until.TrueAsync(async () => (await c.DigAsync($"batch.{ClusterFixture.Zone}")).SequenceEqual(["10.3.0.2"]), "c to relist");
        Assert.Contains("Watch fell behind a compaction", c.Process.StdErr);
        await Until.TrueAsync(async () => (await cluster.B.MembersAsync()).Names.Contains("c"), "c to rejoin");
    }
}
