using System.Text;
using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

/// <summary>A sink that keeps the decoded fields as strings (Latin-1, so every byte value survives).</summary>
internal sealed class HeaderCollector : IHeaderSink
{
    public List<(string Name, string Value, bool NeverIndexed)> Fields { get; } = [];

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
        Fields.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value), neverIndexed));

    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    /// <summary>Decodes <paramref name="block"/> and returns the status and the fields as "name: value" lines.</summary>
    public static (DecodeStatus Status, string[] Fields) Decode(HpackDecoder decoder, byte[] block)
    {
        var sink = new HeaderCollector();
        var status = decoder.Decode(block, sink);
        return (status, [.. sink.Fields.Select(f => $"{f.Name}: {f.Value}")]);
    }

    /// <summary>The dynamic table, newest first, read back through indexed fields (62, 63, …) as a peer would.</summary>
    public static string[] DynamicTable(HpackDecoder decoder)
    {
        var entries = new List<string>();
        for (var i = 0; i < decoder.TableCount; i++)
        {
            var (status, fields) = Decode(decoder, [(byte)(0x80 | (StaticTable.Count + 1 + i))]);
            Assert.Equal(DecodeStatus.Success, status);
            entries.Add(Assert.Single(fields));
        }
        return [.. entries];
    }
}
