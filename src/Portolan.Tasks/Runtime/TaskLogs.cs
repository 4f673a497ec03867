using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Validation;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// Task files under the data directory: <c>tasks/&lt;task-id&gt;/&lt;container&gt;.log</c> holds a container's stdout
/// and stderr as the process wrote them, <c>&lt;container&gt;.health.log</c> the output of its last health check.
/// </summary>
internal sealed class TaskLogs(TasksOptions options) : ITaskLogSource
{
    public string TaskDirectory(string taskId) => Path.Combine(Path.GetFullPath(options.DataDir), "tasks", taskId);

    public string ContainerLog(string taskId, string container) => Path.Combine(TaskDirectory(taskId), container + ".log");

    public string HealthLog(string taskId, string container) => Path.Combine(TaskDirectory(taskId), container + ".health.log");

    public string? LogPath(string taskId, string containerName)
    {
        // Both come from a URL: only ids and names that cannot step out of the task directory.
        if (taskId.Length != 32 || !taskId.All(char.IsAsciiHexDigitLower) || !EcsNames.IsValid(containerName)) return null;
        var path = ContainerLog(taskId, containerName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Removes the files of a task that is gone (pruned).</summary>
    public void Delete(string taskId)
    {
        try
        {
            Directory.Delete(TaskDirectory(taskId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }
}
