namespace Portolan.Core.Ecs;

/// <summary>Where the process runtime keeps the output of a task's containers (stdout and stderr, interleaved).</summary>
public interface ITaskLogSource
{
    /// <summary>The log file of a container of a task run on this node, or null when there is none.</summary>
    string? LogPath(string taskId, string containerName);
}
