using Portolan.Core.Registry;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// ELBv2's wire error codes (error-codes.txt: the Query <c>&lt;Code&gt;</c>, not the botocore shape name). All are
/// HTTP 400 "Sender" faults.
/// </summary>
public static class ElbErrors
{
    public const string ValidationError = "ValidationError";
    public const string InvalidConfigurationRequest = "InvalidConfigurationRequest";
    public const string DuplicateLoadBalancerName = "DuplicateLoadBalancerName";
    public const string DuplicateTargetGroupName = "DuplicateTargetGroupName";
    public const string DuplicateListener = "DuplicateListener";
    public const string DuplicateTagKeys = "DuplicateTagKeys";
    public const string LoadBalancerNotFound = "LoadBalancerNotFound";
    public const string TargetGroupNotFound = "TargetGroupNotFound";
    public const string ListenerNotFound = "ListenerNotFound";
    public const string RuleNotFound = "RuleNotFound";
    public const string CertificateNotFound = "CertificateNotFound";
    public const string SslPolicyNotFound = "SSLPolicyNotFound";
    public const string PriorityInUse = "PriorityInUse";
    public const string ResourceInUse = "ResourceInUse";
    public const string OperationNotPermitted = "OperationNotPermitted";
    public const string InvalidTarget = "InvalidTarget";
    public const string InvalidLoadBalancerAction = "InvalidLoadBalancerAction";
    public const string IncompatibleProtocols = "IncompatibleProtocols";
    public const string TargetGroupAssociationLimit = "TargetGroupAssociationLimit";
    public const string TooManyTargets = "TooManyTargets";
    public const string TooManyTags = "TooManyTags";
    public const string TooManyListeners = "TooManyListeners";
    public const string TooManyLoadBalancers = "TooManyLoadBalancers";
    public const string TooManyTargetGroups = "TooManyTargetGroups";
    public const string TooManyRules = "TooManyRules";
    public const string TooManyActions = "TooManyActions";
    public const string TooManyCertificates = "TooManyCertificates";
    public const string UnsupportedProtocol = "UnsupportedProtocol";

    public static RegistryException Validation(string message) => new(ValidationError, message);
    public static RegistryException InvalidConfiguration(string message) => new(InvalidConfigurationRequest, message);

    public static RegistryException LoadBalancerMissing() => new(LoadBalancerNotFound, "One or more load balancers not found");
    public static RegistryException TargetGroupMissing() => new(TargetGroupNotFound, "One or more target groups not found");
    public static RegistryException ListenerMissing() => new(ListenerNotFound, "One or more listeners not found");
    public static RegistryException RuleMissing() => new(RuleNotFound, "One or more rules not found");
}
