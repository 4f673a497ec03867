namespace Portolan.WebConsole.Live;

/// <summary>One subject's health history (an instance's, a target's): the newest <c>capacity</c> entries, oldest first.</summary>
internal sealed class HealthHistory(int capacity)
{
    private readonly Queue<HealthEvent> _queue = new();

    /// <summary>When the newest entry happened, for trimming the quietest histories first.</summary>
    public DateTimeOffset LastAt { get; private set; }

    public void Add(HealthEvent entry)
    {
        lock (_queue)
        {
            _queue.Enqueue(entry);
            if (_queue.Count > capacity) _queue.Dequeue();
            LastAt = entry.At;
        }
    }

    public HealthEvent[] Copy()
    {
        lock (_queue) return [.. _queue];
    }
}
