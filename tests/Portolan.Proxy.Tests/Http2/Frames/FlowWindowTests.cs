using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

public sealed class FlowWindowTests
{
    [Fact]
    public void Consuming_stops_at_the_window()
    {
        var window = new FlowWindow(65_535);
        Assert.True(window.TryConsume(65_000));
        Assert.Equal(535, window.Size);
        Assert.False(window.TryConsume(536));
        Assert.Equal(535, window.Size);
        Assert.True(window.TryConsume(535));
        Assert.Equal(0, window.Available);
        Assert.True(window.TryConsume(0));
        Assert.False(window.TryConsume(1));
    }

    [Fact]
    public void An_increase_past_2_31_minus_1_is_refused_and_changes_nothing()
    {
        var window = new FlowWindow(65_535);
        Assert.True(window.Increase(int.MaxValue - 65_535));
        Assert.Equal(int.MaxValue, window.Size);
        Assert.False(window.Increase(1));
        Assert.Equal(int.MaxValue, window.Size);

        window = new FlowWindow(1);
        Assert.False(window.Increase(int.MaxValue));
        Assert.Equal(1, window.Size);
    }

    [Fact]
    public void A_settings_change_can_make_the_window_negative_and_updates_bring_it_back()
    {
        // §6.9.2's example: the peer sent 60 000 of 65 535, then lowers INITIAL_WINDOW_SIZE to 16 384.
        var window = new FlowWindow(65_535);
        Assert.True(window.TryConsume(60_000));
        Assert.True(window.ApplySettingsDelta(16_384 - 65_535));
        Assert.Equal(-43_616, window.Size);
        Assert.Equal(0, window.Available);
        Assert.False(window.TryConsume(1));
        Assert.True(window.Increase(43_616));
        Assert.Equal(0, window.Size);
        Assert.True(window.Increase(10));
        Assert.True(window.TryConsume(10));
    }

    [Fact]
    public void A_settings_change_past_2_31_minus_1_is_refused_and_changes_nothing()
    {
        var window = new FlowWindow(65_535);
        Assert.True(window.Increase(1_000_000));
        Assert.False(window.ApplySettingsDelta(int.MaxValue - 65_535));
        Assert.Equal(1_065_535, window.Size);
        Assert.True(window.ApplySettingsDelta(-1_065_535 - 5));
        Assert.Equal(-5, window.Size);
        Assert.True(window.ApplySettingsDelta(int.MaxValue));
        Assert.Equal(int.MaxValue - 5, window.Size);
    }

    [Fact]
    public void The_lowest_window_a_settings_change_can_make_is_representable()
    {
        var window = new FlowWindow(int.MaxValue);
        Assert.True(window.TryConsume(int.MaxValue));
        Assert.True(window.ApplySettingsDelta(-int.MaxValue)); // INITIAL_WINDOW_SIZE 2^31-1 → 0
        Assert.Equal(-int.MaxValue, window.Size);
        Assert.True(window.Increase(int.MaxValue));
        Assert.Equal(0, window.Size);
    }
}
