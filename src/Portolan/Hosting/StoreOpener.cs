using Portolan.Storage;
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
        // The etcd store (cluster mode) is its own piece of work; until it lands say so plainly.
        throw new IOException($"The store '{uri}' is not available in this build: only sqlite:PATH is supported so far.");
    }
}
