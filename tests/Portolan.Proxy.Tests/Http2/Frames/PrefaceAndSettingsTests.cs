using System.Text;
using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

public sealed class PrefaceAndSettingsTests
{
    [Fact]
    public void The_client_preface_is_matched_only_in_full()
    {
        Assert.Equal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Encoding.ASCII.GetString(Preface.Client));
        Assert.Equal(24, Preface.Client.Length);
        var preface = Preface.Client.ToArray();
        for (var n = 0; n < 24; n++) Assert.Equal(PrefaceMatch.Incomplete, Preface.Match(preface.AsSpan(0, n)));
        Assert.Equal(PrefaceMatch.Matched, Preface.Match(preface));
        Assert.Equal(PrefaceMatch.Matched, Preface.Match([.. preface, 0, 0, 0, 4]));
        Assert.Equal(PrefaceMatch.Mismatch, Preface.Match("GET / HTTP/1.1\r\n"u8));
        Assert.Equal(PrefaceMatch.Mismatch, Preface.Match("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r"u8));
        Assert.Equal(PrefaceMatch.Mismatch, Preface.Match("PRX"u8));
    }

    [Fact]
    public void Defaults_are_the_RFC_initial_values()
    {
        var settings = Http2Settings.Default;
        Assert.Equal(4096u, settings.HeaderTableSize);
        Assert.True(settings.EnablePush);
        Assert.Equal(uint.MaxValue, settings.MaxConcurrentStreams);
        Assert.Equal(65_535u, settings.InitialWindowSize);
        Assert.Equal(16_384u, settings.MaxFrameSize);
        Assert.Equal(uint.MaxValue, settings.MaxHeaderListSize);
    }

    [Fact]
    public void A_settings_frame_is_applied_in_order()
    {
        // The same setting twice: the last one wins (§6.5.3).
        var frame = RawFrame.Build(FrameType.Settings, FrameFlags.None, 0, 0, 4, 0, 0, 0x10, 0, 0, 3, 0, 0, 0, 10, 0, 4, 0, 0, 0x20, 0);
        var (header, payload) = RawFrame.Read(frame);
        Assert.True(FrameReader.TryGetSettings(header, payload, out var pairs, out _));
        var settings = Http2Settings.Default;
        foreach (var pair in pairs) settings.Apply(pair);
        Assert.Equal(8192u, settings.InitialWindowSize);
        Assert.Equal(10u, settings.MaxConcurrentStreams);
    }
}
