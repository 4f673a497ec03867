using System.Collections.Frozen;

namespace Portolan.Api.Auth;

/// <summary>
/// The access keys that may sign requests when verification is on (<c>portolan serve --auth FILE</c>).
/// <para>
/// File format: one <c>ACCESS_KEY_ID SECRET_ACCESS_KEY</c> pair per line, separated by spaces or tabs. Blank lines
/// and lines whose first non-blank character is <c>#</c> are ignored. Anything else (a third column, a missing
/// secret, a key listed twice) is an error that names the file and line, so a typo never silently locks a key out.
/// </para>
/// <example><code>
/// # CI runner
/// test test
/// AKIAEXAMPLE0000000001 wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
/// </code></example>
/// </summary>
public sealed class AccessKeyStore
{
    private readonly FrozenDictionary<string, string> _secrets;

    private AccessKeyStore(FrozenDictionary<string, string> secrets) => _secrets = secrets;

    public int Count => _secrets.Count;

    public static AccessKeyStore Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <exception cref="FormatException">A line is not a key pair; the message names <paramref name="sourceName"/> and the line.</exception>
    public static AccessKeyStore Parse(TextReader reader, string sourceName)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        Span<Range> parts = stackalloc Range[3];
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.AsSpan().Trim();
            if (text.IsEmpty || text[0] == '#')
            {
                continue;
            }

            var count = text.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
            if (count != 2)
            {
                throw new FormatException($"{sourceName}:{lineNumber}: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY'.");
            }

            var keyId = text[parts[0]].ToString();
            if (keyId.Contains('/'))
            {
                // The key id is the first element of the '/'-separated credential scope, so it can never hold one.
                throw new FormatException($"{sourceName}:{lineNumber}: an access key id cannot contain '/'.");
            }

            if (!secrets.TryAdd(keyId, text[parts[1]].ToString()))
            {
                throw new FormatException($"{sourceName}:{lineNumber}: access key id '{keyId}' is listed twice.");
            }
        }

        return new AccessKeyStore(secrets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public static AccessKeyStore FromPairs(IEnumerable<KeyValuePair<string, string>> pairs) =>
        new(pairs.ToFrozenDictionary(StringComparer.Ordinal));

    internal bool TryGetSecret(string accessKeyId, out string secret) => _secrets.TryGetValue(accessKeyId, out secret!);
}
