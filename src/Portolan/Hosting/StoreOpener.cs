using Portolan.Storage;
using Portolan.Storage.Etcd;
using Portolan.Storage.Sqlite;

namespace Portolan.Hosting;

/// <summary>Opens the store named by <c>--store</c>.</summary>
internal static class StoreOpener
{
    /// <exception cref="IOException">The store can't be opened (or its kind isn't available in this build).</exception>
    public static async Task<IStore> OpenAsync(PortolanOptions options, CancellationToken cancellationToken)
    {
        var uri = options.StoreUri;
        if (uri.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(uri["sqlite:".Length..], options.DataDir);
            try
            {
                return await SqliteStore.OpenAsync(path, cancellationToken: cancellationToken);
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                throw new IOException($"Can't open the SQLite store {path}: {e.Message}", e);
            }
        }
        if (uri.StartsWith("etcd://", StringComparison.Ordinal))
        {
            try
            {
                return await EtcdStore.OpenAsync(EtcdStoreOptions.Parse(uri), cancellationToken);
            }
            catch (FormatException e)
            {
                throw new IOException($"Can't use the etcd store {uri}: {e.Message}", e);
            }
            catch (StoreUnavailableException e)
            {
                throw new IOException($"Can't open the etcd store {uri}: {e.Message}", e);
            }
        }

        throw new IOException($"The store '{uri}' is not supported: use sqlite:PATH or etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE].");
    }
}
