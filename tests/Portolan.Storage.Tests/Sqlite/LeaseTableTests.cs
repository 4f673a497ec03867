using Microsoft.Extensions.Time.Testing;
using Portolan.Storage.Sqlite;

namespace Portolan.Storage.Tests.Sqlite;

public sealed class LeaseTableTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Expiry_follows_the_latest_deadline_and_skips_stale_ones()
    {
        var table = new LeaseTable(_clock);
        table.Add(1, TimeSpan.FromSeconds(10));
        table.Add(2, TimeSpan.FromSeconds(20));
        _clock.Advance(TimeSpan.FromSeconds(8));
        table.Renew(1); // now due at 18 s

        Assert.Equal(TimeSpan.FromSeconds(10), table.NextExpiryIn());
        _clock.Advance(TimeSpan.FromSeconds(2)); // 10 s: the stale entry for lease 1 surfaces and is skipped
        Assert.Empty(table.Expired());
        _clock.Advance(TimeSpan.FromSeconds(8)); // 18 s
        Assert.Equal([1L], table.Expired());
        table.Remove(1);
        Assert.Equal(TimeSpan.FromSeconds(2), table.NextExpiryIn());
    }

    [Fact]
    public void Rollback_restores_the_table_as_it_was_when_the_batch_began()
    {
        var table = new LeaseTable(_clock);
        table.Add(1, TimeSpan.FromSeconds(10));
        table.Add(2, TimeSpan.FromSeconds(10));

        table.BeginBatch();
        table.Add(3, TimeSpan.FromSeconds(5));
        table.Renew(3);
        table.Remove(1);
        _clock.Advance(TimeSpan.FromSeconds(4));
        table.Renew(2);
        table.Rollback();

        Assert.True(table.Contains(1));
        Assert.True(table.Contains(2));
        Assert.False(table.Contains(3));
        Assert.Equal(TimeSpan.FromSeconds(6), table.NextExpiryIn()); // lease 2's renewal was undone too
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal([1L, 2L], table.Expired().Order());
    }
}
