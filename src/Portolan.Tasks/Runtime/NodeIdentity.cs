using Portolan.Core.Ecs;

namespace Portolan.Tasks.Runtime;

/// <summary>This node's container instance id, created once and kept in the data directory.</summary>
internal static class NodeIdentity
{
    public const string FileName = "ecs-node-id";

    public static string LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var id = File.ReadAllText(path).Trim();
            if (id.Length == 32 && id.All(char.IsAsciiHexDigitLower)) return id;
        }
        Directory.CreateDirectory(dataDir);
        var created = EcsIds.NewTaskId();
        var temp = path + ".tmp";
        File.WriteAllText(temp, created + "\n");
        File.Move(temp, path, overwrite: true);
        return created;
    }
}
