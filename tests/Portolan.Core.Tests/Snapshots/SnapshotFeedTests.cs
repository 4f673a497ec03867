using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Tests.Registry;

namespace Portolan.Core.Tests.Snapshots;

/// <summary>
/// The feed on a real SQLite store: group commits of many concurrent writes reach the snapshot, every writer
/// reads its own write when its call returns, and a wait for a revision completes exactly when that revision is
/// published — not at an earlier publish, and not after a cancelled wait for the same revision.
/// </summary>
public class SnapshotFeedTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30); // bounds a broken run only

    [Fact]
    public async Task ConcurrentWriters_EachSeeTheirOwnWriteWhenTheCallReturns()
    {
        await using var h = await RegistryHarness.StartAsync();
        await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "feed"));
        var ns = h.Snapshot.FindNamespaceByName("feed")!.Id;
        var svc = (await h.Registry.CreateServiceAsync(new CreateServiceCommand("web", ns))).Id;

        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svc, $"i-{i}", new Dictionary<string, string> { ["k"] = "v" }), ct);
            Assert.True(h.Snapshot.Services[svc].Instances.ContainsKey($"i-{i}"), $"i-{i} is not in the snapshot when its call returns");
        });

        Assert.Equal(300, h.Snapshot.Services[svc].Instances.Count);
    }

    [Fact]
    public async Task WaitForRevision_CompletesWhenThatRevisionIsPublished()
    {
        await using var h = await RegistryHarness.StartAsync();
        await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "waits"));
        var ns = h.Snapshot.FindNamespaceByName("waits")!.Id;
        var start = h.Snapshot.Revision;

        using (var cancel = new CancellationTokenSource())
        {
            var cancelled = h.Feed.WaitForRevisionAsync(start + 2, cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        }

        var third = h.Feed.WaitForRevisionAsync(start + 3).AsTask();
        var second = h.Feed.WaitForRevisionAsync(start + 2).AsTask();
        Assert.True(h.Feed.WaitForRevisionAsync(start).AsTask().IsCompleted);

        await h.Registry.CreateServiceAsync(new CreateServiceCommand("s1", ns));
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        await h.Registry.CreateServiceAsync(new CreateServiceCommand("s2", ns));
        await second.WaitAsync(Deadline);
        Assert.True(h.Snapshot.Revision >= start + 2);
        Assert.False(third.IsCompleted);

        await h.Registry.CreateServiceAsync(new CreateServiceCommand("s3", ns));
        await third.WaitAsync(Deadline);
        await h.Feed.WaitForChangeAsync(start + 2).AsTask().WaitAsync(Deadline);
    }
}
