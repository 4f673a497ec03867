using System.Runtime.InteropServices;
using Portolan.Cli;
using Portolan.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portolan;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (CommandLine.Parse(args))
        {
            case CliCommand.Help:
                Console.Out.WriteLine(HelpText.Usage);
                return ExitCodes.Ok;
            case CliCommand.Version:
                Console.Out.WriteLine($"portolan {VersionInfo.Display}");
                return ExitCodes.Ok;
            case CliCommand.Invalid invalid:
                Console.Error.WriteLine($"portolan: {invalid.Message}");
                Console.Error.WriteLine("Run 'portolan --help' for usage.");
                return ExitCodes.Usage;
            case CliCommand.Serve serve:
                return await ServeAsync(serve.Options);
            default:
                throw new InvalidOperationException("Unhandled command.");
        }
    }

    private static async Task<int> ServeAsync(PortolanOptions options)
    {
        using var stop = new CancellationTokenSource();
        // The first SIGINT/SIGTERM asks for a graceful stop; a second one is left to the default (immediate exit).
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => RequestStop(context, stop));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => RequestStop(context, stop));

        PortolanHost host;
        try
        {
            host = await PortolanHost.StartAsync(options, stop.Token);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"portolan: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"portolan: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        await using (host)
        {
            // With --log-format json every stderr line is a JSON object, warnings included.
            var logger = options.LogFormat == LogFormat.Json
                ? host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Portolan")
                : null;
            foreach (var warning in host.Warnings)
            {
                if (logger is not null) logger.LogWarning(new EventId(1, "StartupWarning"), "{Warning}", warning);
                else Console.Error.WriteLine($"portolan: warning: {warning}");
            }

            StartupReport.Write(Console.Out, host);
            // Either a signal or the server stopping on its own ends the wait.
            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, host.Stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stopped.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await host.StopAsync();
        }

        return ExitCodes.Ok;
    }

    private static void RequestStop(PosixSignalContext context, CancellationTokenSource stop)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        stop.Cancel();
    }
}
