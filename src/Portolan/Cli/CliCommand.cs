namespace Portolan.Cli;

/// <summary>What the command line asked for.</summary>
internal abstract record CliCommand
{
    private CliCommand()
    {
    }

    public sealed record Serve(PortolanOptions Options) : CliCommand;

    public sealed record Help : CliCommand;

    public sealed record Version : CliCommand;

    /// <summary>A usage error: the message goes to stderr and the process exits with <see cref="ExitCodes.Usage"/>.</summary>
    public sealed record Invalid(string Message) : CliCommand;
}

internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The server could not start or stopped on an error.</summary>
    public const int Failure = 1;
    /// <summary>Bad command line or configuration, as most Unix tools use 2 for usage errors.</summary>
    public const int Usage = 2;
}
