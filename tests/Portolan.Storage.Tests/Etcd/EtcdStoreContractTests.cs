using Portolan.Storage.Etcd;
using Portolan.Storage.Tests.Contract;

namespace Portolan.Storage.Tests.Etcd;

/// <summary>
/// The shared store contract, run against <see cref="EtcdStore"/> on a real 3-member etcd cluster, in a fresh
/// namespace per test. Leases expire on etcd's clock, so <see cref="AdvanceClock"/> lets real time pass.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdStoreContractTests(EtcdClusterFixture etcd) : StoreContractTests
{
    private readonly EtcdStoreOptions _options = etcd.NewStoreOptions();

    protected override async Task<IStore> OpenStoreAsync() => await EtcdStore.OpenAsync(_options);

    // The only waits of the suite on etcd: its lessor runs on the server's monotonic clock.
    protected override Task AdvanceClock(TimeSpan by) => Task.Delay(by);

    protected override async Task CleanupAsync()
    {
        await using var store = await EtcdStore.OpenAsync(_options);
        await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("")));
        await etcd.RevokeAllLeasesAsync();
    }
}
