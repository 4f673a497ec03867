namespace Portolan.Tasks.Runtime;

/// <summary>Everything needed to start one container's process.</summary>
internal sealed record ContainerLaunch(
    IReadOnlyList<string> Argv,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    string LogPath);

/// <summary>Why a container could not be started, in the words Docker uses for the same failure.</summary>
internal sealed class ContainerStartException(string message) : Exception(message);
