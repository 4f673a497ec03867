namespace Portolan.Health;

/// <summary>Event ids of the health engine's log messages, in one place so they stay unique and stable.</summary>
internal static class HealthEventIds
{
    public const int Crossed = 1;
    public const int WriteFailed = 2;
    public const int ReconcileFailed = 3;
    public const int Scheduled = 4;
}
