namespace Portolan.Core.Discovery;

/// <summary>Attribute keys Cloud Map gives meaning to (AWS-BEHAVIOUR.md §1.6).</summary>
public static class ReservedAttributes
{
    public const string InstanceIpv4 = "AWS_INSTANCE_IPV4";
    public const string InstanceIpv6 = "AWS_INSTANCE_IPV6";
    public const string InstancePort = "AWS_INSTANCE_PORT";
    public const string InstanceCname = "AWS_INSTANCE_CNAME";
    public const string AliasDnsName = "AWS_ALIAS_DNS_NAME";
    public const string Ec2InstanceId = "AWS_EC2_INSTANCE_ID";
    public const string InitHealthStatus = "AWS_INIT_HEALTH_STATUS";
}
