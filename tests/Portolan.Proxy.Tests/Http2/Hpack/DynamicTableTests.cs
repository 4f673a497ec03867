using System.Text;
using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

/// <summary>The dynamic table against a plain list model of RFC 7541 §4, over long random runs.</summary>
public sealed class DynamicTableTests
{
    [Theory]
    [InlineData(256, 1)]
    [InlineData(4096, 2)]
    [InlineData(0, 3)]
    public void Matches_a_list_model_through_insertions_evictions_and_size_updates(int maxTableSize, int seed)
    {
        var random = new Random(seed);
        var decoder = new HpackDecoder(maxTableSize);
        var model = new List<(string Name, string Value)>(); // newest first
        var capacity = maxTableSize;
        static int Size(List<(string Name, string Value)> entries) => entries.Sum(e => e.Name.Length + e.Value.Length + 32);

        var block = new List<byte>();
        var buffer = new byte[8];
        for (var step = 0; step < 3000; step++)
        {
            block.Clear();
            if (random.Next(10) == 0)
            {
                capacity = random.Next(0, maxTableSize + 1);
                HpackEncoder.TryEncodeTableSizeUpdate(capacity, buffer, out var written);
                block.AddRange(buffer[..written]);
                while (Size(model) > capacity) model.RemoveAt(model.Count - 1);
            }
            for (var f = random.Next(1, 4); f > 0; f--)
            {
                string name, value = new('v', random.Next(0, 120));
                if (model.Count > 0 && random.Next(3) == 0)
                {
                    // Name from the dynamic table, possibly the oldest entry, which this insertion may evict (§4.4).
                    var index = random.Next(model.Count);
                    name = model[index].Name;
                    HpackInteger.TryEncode(StaticTable.Count + 1 + index, 6, 0x40, buffer, out var written);
                    block.AddRange(buffer[..written]);
                }
                else
                {
                    name = "x-" + new string((char)('a' + random.Next(26)), random.Next(1, 60));
                    block.Add(0x40);
                    HpackInteger.TryEncode(name.Length, 7, 0, buffer, out var written);
                    block.AddRange(buffer[..written]);
                    block.AddRange(Encoding.ASCII.GetBytes(name));
                }
                HpackInteger.TryEncode(value.Length, 7, 0, buffer, out var valueWritten);
                block.AddRange(buffer[..valueWritten]);
                block.AddRange(Encoding.ASCII.GetBytes(value));

                model.Insert(0, (name, value));
                if (name.Length + value.Length + 32 > capacity) model.Clear();
                while (Size(model) > capacity) model.RemoveAt(model.Count - 1);
            }

            Assert.Equal(DecodeStatus.Success, decoder.Decode(block.ToArray(), new HeaderCollector()));
            Assert.Equal(Size(model), decoder.TableSize);
            Assert.Equal(model.Select(e => $"{e.Name}: {e.Value}"), HeaderCollector.DynamicTable(decoder));
        }
    }
}
