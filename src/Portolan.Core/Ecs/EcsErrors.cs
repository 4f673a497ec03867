using Portolan.Core.Registry;

namespace Portolan.Core.Ecs;

/// <summary>ECS error names (botocore ecs 2014-11-13) and the messages ECS gives for the common ones.</summary>
public static class EcsErrors
{
    public const string InvalidParameter = "InvalidParameterException";
    public const string Client = "ClientException";
    public const string ClusterNotFound = "ClusterNotFoundException";
    public const string ServiceNotFound = "ServiceNotFoundException";
    public const string ServiceNotActive = "ServiceNotActiveException";
    public const string ClusterContainsServices = "ClusterContainsServicesException";
    public const string ClusterContainsTasks = "ClusterContainsTasksException";
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string UnsupportedFeature = "UnsupportedFeatureException";

    public static RegistryException Invalid(string message) => new(InvalidParameter, message);
    public static RegistryException ClientError(string message) => new(Client, message);
    public static RegistryException NoCluster() => new(ClusterNotFound, "Cluster not found.");
    public static RegistryException NoService() => new(ServiceNotFound, "Service not found.");
}
