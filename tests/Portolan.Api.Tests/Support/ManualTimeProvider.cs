namespace Portolan.Api.Tests.Support;

/// <summary>A clock that says what the test sets, so signature-expiry checks are deterministic.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
