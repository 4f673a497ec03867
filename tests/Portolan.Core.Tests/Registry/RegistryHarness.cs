using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.Registry;

/// <summary>A registry on a real SQLite store in a temp directory, with its snapshot feed running.</summary>
internal sealed class RegistryHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private RegistryHarness(TempDirectory dir, IStore store, SnapshotFeed feed, DiscoveryRegistry registry)
    {
        _dir = dir;
        Store = store;
        Feed = feed;
        Registry = registry;
        Operations = new OperationLog(store);
    }

    public IStore Store { get; }
    public SnapshotFeed Feed { get; }
    public DiscoveryRegistry Registry { get; }
    public OperationLog Operations { get; }
    public RegistrySnapshot Snapshot => Feed.Current;
    public string Path => _dir.Path;

    public static async Task<RegistryHarness> StartAsync(RegistryOptions? options = null, TempDirectory? dir = null)
    {
        dir ??= new TempDirectory();
        var store = await SqliteStore.OpenAsync(System.IO.Path.Combine(dir.Path, "portolan.db"));
        var feed = new SnapshotFeed(store, NullLogger<SnapshotFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        var registry = new DiscoveryRegistry(store, feed, Options.Create(options ?? new RegistryOptions()), TimeProvider.System);
        return new RegistryHarness(dir, store, feed, registry);
    }

    /// <summary>Closes the store and opens it again, as a restart does; the returned harness owns the directory.</summary>
    public async Task<RegistryHarness> RestartAsync()
    {
        await Feed.DisposeAsync();
        await Store.DisposeAsync();
        return await StartAsync(Registry.Options, _dir);
    }

    public async ValueTask DisposeAsync()
    {
        await Feed.DisposeAsync();
        await Store.DisposeAsync();
        _dir.Dispose();
    }
}
