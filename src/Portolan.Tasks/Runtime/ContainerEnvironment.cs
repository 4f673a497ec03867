using System.Text;
using Portolan.Core.Ecs.Model;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// The environment a container's process gets, in increasing precedence: the variables it inherits from Portolan
/// (<see cref="TasksOptions.InheritedEnvironment"/>), Portolan's task variables, the container definition's
/// <c>environment</c>, and RunTask's overrides. The task variables tell a process where it listens:
/// <list type="bullet">
/// <item><c>PORTOLAN_PORT_&lt;containerPort&gt;</c>: the host port of a tcp mapping (<c>…_UDP</c> for udp);</item>
/// <item><c>PORTOLAN_PORT_&lt;NAME&gt;</c>: the same for a named mapping (name upper-cased, other characters as <c>_</c>);</item>
/// <item><c>PORT</c>: the host port of the first mapping;</item>
/// <item><c>PORTOLAN_HOST_ADDRESS</c>, <c>PORTOLAN_TASK_ARN</c>, <c>PORTOLAN_CLUSTER</c>, <c>PORTOLAN_CONTAINER_NAME</c>,
/// <c>PORTOLAN_TASK_DEFINITION_ARN</c>.</item>
/// </list>
/// </summary>
internal static class ContainerEnvironment
{
    public static Dictionary<string, string> Build(TasksOptions options, TaskRecord task, ContainerDefinition container,
        IReadOnlyList<NetworkBindingRecord> bindings, ContainerOverrideSpec? overrides)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in options.InheritedEnvironment)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value) env[name] = value;
        }
        env["PORTOLAN_HOST_ADDRESS"] = options.HostAddress;
        env["PORTOLAN_TASK_ARN"] = task.Arn;
        env["PORTOLAN_TASK_DEFINITION_ARN"] = task.TaskDefinitionArn;
        env["PORTOLAN_CLUSTER"] = task.Cluster;
        env["PORTOLAN_CONTAINER_NAME"] = container.Name;
        for (var i = 0; i < container.PortMappings.Count; i++)
        {
            var mapping = container.PortMappings[i];
            var binding = bindings.First(b => b.ContainerPort == mapping.ContainerPort && b.Protocol == mapping.Protocol);
            var port = binding.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var suffix = mapping.Protocol == "udp" ? "_UDP" : "";
            env[$"PORTOLAN_PORT_{mapping.ContainerPort}{suffix}"] = port;
            if (mapping.Name is { Length: > 0 } name) env[$"PORTOLAN_PORT_{VariableName(name)}{suffix}"] = port;
            if (i == 0) env["PORT"] = port;
        }
        foreach (var v in container.Environment) env[v.Name] = v.Value;
        foreach (var v in overrides?.Environment ?? []) env[v.Name] = v.Value;
        return env;
    }

    /// <summary>The command a container runs: entryPoint then command, as Docker joins them (overrides replace command).</summary>
    public static List<string> Argv(ContainerDefinition container, ContainerOverrideSpec? overrides) =>
        [.. container.EntryPoint ?? [], .. overrides?.Command ?? container.Command ?? []];

    private static string VariableName(string name)
    {
        var b = new StringBuilder(name.Length);
        foreach (var c in name) b.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        return b.ToString();
    }
}
