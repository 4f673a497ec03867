using System.Globalization;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Where load-balancing state lives in the store, all under <see cref="Root"/> (inside the snapshot root <c>/p/</c>):
/// <code>
/// /p/elb/config                         touched by every configuration write (the optimistic-concurrency guard)
/// /p/elb/lb/{lbId}                      LoadBalancerRecord
/// /p/elb/tg/{tgId}                      TargetGroupRecord
/// /p/elb/lsn/{lbId}/{listenerId}        ListenerRecord
/// /p/elb/rule/{listenerId}/{ruleId}     RuleRecord
/// /p/elb/tgt/{tgId}/{targetId}/{port}   TargetRecord              /p/elb/tgtrev/{tgId}: touched by every (de)registration
/// /p/elb/health/{tgId}/{targetId}/{port} TargetHealthRecord
/// /p/elb/tags/{arn}                     tags (JSON object)
/// </code>
/// Configuration changes are rare and validated against each other (unique names, host-wide ports, priorities, target
/// groups in use), so they all compare and touch the one config key: they serialise, and a lost race re-plans.
/// Registrations serialise per target group on its <c>tgtrev</c> key; health writes compare only their target.
/// Children sit under their parent's id so that a delete is a handful of prefix deletes in one transaction. Target
/// ids (IP addresses, instance ids) never contain '/'.
/// </summary>
internal static class LoadBalancingKeys
{
    public const string Root = "/p/elb/";
    public const string Config = "/p/elb/config";
    public const string LoadBalancerPrefix = "/p/elb/lb/";
    public const string TargetGroupPrefix = "/p/elb/tg/";
    public const string ListenerPrefix = "/p/elb/lsn/";
    public const string RulePrefix = "/p/elb/rule/";
    public const string TargetPrefix = "/p/elb/tgt/";
    public const string TargetsRevisionPrefix = "/p/elb/tgtrev/";
    public const string HealthPrefix = "/p/elb/health/";
    public const string TagsPrefix = "/p/elb/tags/";

    public static string LoadBalancer(string id) => LoadBalancerPrefix + id;
    public static string TargetGroup(string id) => TargetGroupPrefix + id;
    public static string Listener(string loadBalancerId, string id) => ListenerPrefix + loadBalancerId + "/" + id;
    public static string ListenersOf(string loadBalancerId) => ListenerPrefix + loadBalancerId + "/";
    public static string Rule(string listenerId, string id) => RulePrefix + listenerId + "/" + id;
    public static string RulesOf(string listenerId) => RulePrefix + listenerId + "/";
    public static string Target(string targetGroupId, TargetKey target) => TargetPrefix + targetGroupId + "/" + Suffix(target);
    public static string TargetsOf(string targetGroupId) => TargetPrefix + targetGroupId + "/";
    public static string TargetsRevision(string targetGroupId) => TargetsRevisionPrefix + targetGroupId;
    public static string Health(string targetGroupId, TargetKey target) => HealthPrefix + targetGroupId + "/" + Suffix(target);
    public static string HealthOf(string targetGroupId) => HealthPrefix + targetGroupId + "/";
    public static string Tags(string arn) => TagsPrefix + arn;

    private static string Suffix(TargetKey target) => target.Id + "/" + target.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits <c>{prefix}{parentId}/{childId}</c>.</summary>
    public static (string Parent, string Child) SplitChild(string key, string prefix)
    {
        var rest = key.AsSpan(prefix.Length);
        var slash = rest.IndexOf('/');
        return slash < 0 ? (rest.ToString(), "") : (rest[..slash].ToString(), rest[(slash + 1)..].ToString());
    }
}
