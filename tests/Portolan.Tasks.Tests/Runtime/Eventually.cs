namespace Portolan.Tasks.Tests.Runtime;

/// <summary>Waits for a condition that real processes make true, with a generous bound (not a timing assertion).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still not true: {what}");
            await Task.Delay(20);
        }
    }
}
