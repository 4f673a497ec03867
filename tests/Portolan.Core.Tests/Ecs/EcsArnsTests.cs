using Portolan.Core.Ecs;

namespace Portolan.Core.Tests.Ecs;

public sealed class EcsArnsTests
{
    private readonly EcsArns _arns = new("us-east-1", "000000000000");

    [Fact]
    public void Arns_AreInTheLongFormat()
    {
        Assert.Equal("arn:aws:ecs:us-east-1:000000000000:cluster/demo", _arns.Cluster("demo"));
        Assert.Equal("arn:aws:ecs:us-east-1:000000000000:service/demo/echoservice", _arns.Service("demo", "echoservice"));
        Assert.Equal("arn:aws:ecs:us-east-1:000000000000:task/demo/0123456789abcdef0123456789abcdef", _arns.Task("demo", "0123456789abcdef0123456789abcdef"));
        Assert.Equal("arn:aws:ecs:us-east-1:000000000000:task-definition/echo:1", _arns.TaskDefinition("echo", 1));
    }

    [Theory]
    [InlineData("demo", "demo")]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:cluster/demo", "demo")]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:service/demo/x", null)]
    public void ClusterName_AcceptsNamesAndClusterArns(string input, string? expected) => Assert.Equal(expected, EcsArns.ClusterName(input));

    [Theory]
    [InlineData("echoservice", null, "echoservice")]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:service/demo/echoservice", "demo", "echoservice")]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:service/echoservice", null, "echoservice")]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:cluster/demo", null, null)]
    public void ServiceName_SplitsLongAndShortArns(string input, string? cluster, string? name) => Assert.Equal((cluster, name), EcsArns.ServiceName(input));

    [Theory]
    [InlineData("echo", "echo", null)]
    [InlineData("echo:3", "echo", 3)]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:task-definition/echo:12", "echo", 12)]
    public void TaskDefinitionRef_ReadsFamilyAndRevision(string input, string family, int? revision) =>
        Assert.Equal((family, revision), EcsArns.TaskDefinitionRef(input));

    [Theory]
    [InlineData("echo:0")]
    [InlineData("echo:x")]
    [InlineData("arn:aws:ecs:us-east-1:000000000000:cluster/demo")]
    [InlineData("")]
    public void TaskDefinitionRef_RejectsWhatIsNoTaskDefinition(string input) => Assert.Null(EcsArns.TaskDefinitionRef(input));

    [Fact]
    public void Ids_HaveEcsFormats()
    {
        Assert.Matches("^[0-9a-f]{32}$", EcsIds.NewTaskId());
        Assert.Matches("^ecs-svc/[1-9][0-9]{18}$", EcsIds.NewDeploymentId());
    }
}
