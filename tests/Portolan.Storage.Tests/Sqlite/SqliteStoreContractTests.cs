using Portolan.Storage.Sqlite;
using Portolan.Storage.Tests.Contract;
using Portolan.Testing;

namespace Portolan.Storage.Tests.Sqlite;

/// <summary>The shared store contract, run against <see cref="SqliteStore"/> on a fresh file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly TempDirectory _directory = new("portolan-sqlite");

    protected override async Task<IStore> OpenStoreAsync() =>
        await SqliteStore.OpenAsync(Path.Combine(_directory.Path, "store.db"), time: Clock);

    protected override Task CleanupAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
