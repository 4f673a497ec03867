using System.Text;
using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

public sealed class HuffmanTests
{
    private static byte[] Encode(byte[] text)
    {
        var encoded = new byte[Huffman.EncodedLength(text)];
        Assert.Equal(encoded.Length, Huffman.Encode(text, encoded));
        return encoded;
    }

    private static int Decode(byte[] encoded, out byte[] text)
    {
        var buffer = new byte[encoded.Length * 8 / 5];
        var length = Huffman.Decode(encoded, buffer);
        text = length >= 0 ? buffer[..length] : [];
        return length;
    }

    [Theory] // the strings Huffman-coded in RFC 7541 C.4 and C.6
    [InlineData("www.example.com", "f1e3c2e5f23a6ba0ab90f4ff")]
    [InlineData("no-cache", "a8eb10649cbf")]
    [InlineData("custom-key", "25a849e95ba97d7f")]
    [InlineData("custom-value", "25a849e95bb8e8b4bf")]
    [InlineData("302", "6402")]
    [InlineData("307", "640eff")]
    [InlineData("private", "aec3771a4b")]
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff")]
    [InlineData("https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3")]
    [InlineData("gzip", "9bd9ab")]
    [InlineData("foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
        "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007")]
    public void Rfc_strings(string text, string hex)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(hex, Convert.ToHexStringLower(Encode(bytes)));
        Assert.Equal(bytes.Length, Decode(Convert.FromHexString(hex), out var decoded));
        Assert.Equal(bytes, decoded);
    }

    [Fact]
    public void Every_byte_value_round_trips_alone_and_together()
    {
        var all = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            all[b] = (byte)b;
            byte[] one = [(byte)b];
            Assert.Equal(1, Decode(Encode(one), out var decoded));
            Assert.Equal(one, decoded);
        }
        Assert.Equal(256, Decode(Encode(all), out var decodedAll));
        Assert.Equal(all, decodedAll);
    }

    [Fact]
    public void Random_strings_round_trip()
    {
        var random = new Random(7541);
        for (var i = 0; i < 2000; i++)
        {
            var text = new byte[random.Next(0, 200)];
            if (i % 2 == 0) random.NextBytes(text);
            else for (var j = 0; j < text.Length; j++) text[j] = (byte)random.Next(0x20, 0x7F); // header-like text
            Assert.Equal(text.Length, Decode(Encode(text), out var decoded));
            Assert.Equal(text, decoded);
        }
    }

    [Fact]
    public void Any_input_decodes_or_is_malformed_and_a_decodable_one_has_a_single_encoding()
    {
        var random = new Random(9);
        for (var i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 12)];
            random.NextBytes(input);
            if (i % 3 == 0) input.AsSpan(random.Next(0, input.Length + 1)).Fill(0xFF); // reach the long codes and EOS
            var length = Decode(input, out var decoded);
            Assert.True(length >= Huffman.Malformed);
            // Padding must be under 8 bits and all ones, so a valid input is exactly what the encoder writes.
            if (length >= 0) Assert.Equal(input, Encode(decoded));
        }
    }

    [Theory]
    [InlineData("1fff")] // 'a' (00011) then 11 bits of padding
    [InlineData("18")] // 'a' then padding 000
    [InlineData("1c")] // 'a' then padding 100
    [InlineData("ff")] // 8 bits of padding and nothing else
    [InlineData("fffffffc")] // EOS (30 ones) then 00: EOS decoded as a symbol
    [InlineData("ffffffff")] // EOS then padding 11
    [InlineData("1fffffffff")] // 'a', then EOS, then padding
    [InlineData("fe")] // 7 ones would be fine, but the eighth bit is a 0 that starts no code
    public void Rejects_EOS_and_bad_padding(string hex) => Assert.Equal(Huffman.Malformed, Decode(Convert.FromHexString(hex), out _));

    [Fact]
    public void Valid_padding_of_every_length_is_accepted()
    {
        // '0' (00000, 5 bits) repeated n times leaves 8 - 5n mod 8 bits of padding: 3, 6, 1, 4, 7, 2, 5, 0.
        for (var n = 1; n <= 8; n++)
        {
            var text = Encoding.ASCII.GetBytes(new string('0', n));
            Assert.Equal(n, Decode(Encode(text), out var decoded));
            Assert.Equal(text, decoded);
        }
    }

    [Fact]
    public void A_string_longer_than_the_destination_is_reported_after_checking_it_whole()
    {
        var encoded = Encode(Encoding.ASCII.GetBytes("www.example.com"));
        Assert.Equal(Huffman.TooLong, Huffman.Decode(encoded, new byte[14]));
        Assert.Equal(15, Huffman.Decode(encoded, new byte[15]));
        Assert.Equal(Huffman.Malformed, Huffman.Decode([.. encoded, 0xFF], new byte[3]));
    }
}
