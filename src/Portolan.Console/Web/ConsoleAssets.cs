using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Portolan.WebConsole.Web;

/// <summary>
/// The console's files (wwwroot/, embedded in this assembly at build time), read once at start-up with their
/// content type and a strong ETag, so a reload costs a 304 and serving is a dictionary lookup.
/// </summary>
internal sealed class ConsoleAssets
{
    private const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> _assets;

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            var path = name[ResourcePrefix.Length..];
            assets[path] = Load(assembly, name, path);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every asset path, e.g. <c>index.html</c>, <c>js/main.js</c>.</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <param name="path">Relative to the console's root, without a leading slash.</param>
    public bool TryGet(string path, out Asset asset) => _assets.TryGetValue(path, out asset!);

    private static Asset Load(Assembly assembly, string resource, string path)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
        var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        return new Asset(bytes, contentType, etag);
    }

    internal sealed record Asset(byte[] Content, string ContentType, string ETag);
}
