using System.Security.Cryptography;

namespace Portolan.Core.Ecs;

/// <summary>Ids in ECS's formats: task ids of 32 hex digits, deployment ids <c>ecs-svc/</c> + 19 digits, UUIDs for the rest.</summary>
public static class EcsIds
{
    public static string NewTaskId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string NewDeploymentId() =>
        "ecs-svc/" + string.Create(19, 0, static (span, _) =>
        {
            span[0] = (char)('1' + RandomNumberGenerator.GetInt32(9));
            for (var i = 1; i < span.Length; i++) span[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        });

    public static string NewUuid() => Guid.NewGuid().ToString();
}
