using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Discovery;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.Ecs;

public sealed class EcsRegistryTests
{
    private static async Task<RegistryException> Rejects(Func<Task> act) => await Assert.ThrowsAsync<RegistryException>(act);

    [Fact]
    public async Task RegisterTaskDefinition_NumbersRevisionsAndSurvivesRestart()
    {
        await using var h = await EcsHarness.StartAsync();
        Assert.Equal(1, (await h.TaskDefinitionAsync("echo")).Revision);
        Assert.Equal(2, (await h.TaskDefinitionAsync("echo")).Revision);
        Assert.Equal(1, (await h.TaskDefinitionAsync("other")).Revision);
        await h.Ecs.DeregisterTaskDefinitionAsync("echo:2");
        // The latest ACTIVE revision is what a bare family means; a deregistered revision is never reused.
        Assert.Equal(1, EcsRegistry.FindTaskDefinition(h.Inner.Snapshot.Ecs, "echo")!.Record.Revision);
        Assert.Equal(3, (await h.TaskDefinitionAsync("echo")).Revision);
    }

    [Fact]
    public async Task RegisterTaskDefinition_FillsHostPortsWhereTheNetworkModeFixesThem()
    {
        await using var h = await EcsHarness.StartAsync();
        var td = await h.Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionCommand
        {
            Family = "host", NetworkMode = NetworkModes.Host, ContainerDefinitions = [EcsHarness.Container("app", 8080)],
        });
        Assert.Equal(8080, Assert.Single(td.ContainerDefinitions[0].PortMappings).HostPort);
        var e = await Rejects(() => h.Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionCommand
        {
            Family = "host", NetworkMode = NetworkModes.AwsVpc,
            ContainerDefinitions = [EcsHarness.Container("app") with { PortMappings = [new PortMappingSpec { ContainerPort = 80, HostPort = 81 }] }],
        }));
        Assert.Equal(EcsErrors.Client, e.Code);
    }

    [Fact]
    public async Task CreateService_IsIdempotentWithItsClientToken()
    {
        await using var h = await EcsHarness.StartAsync();
        await h.Ecs.CreateClusterAsync(new CreateClusterCommand("demo"));
        await h.TaskDefinitionAsync("echo");
        var cmd = new CreateEcsServiceCommand { Cluster = "demo", ServiceName = "svc", TaskDefinition = "echo", DesiredCount = 1, ClientToken = "t-1" };
        var first = await h.Ecs.CreateServiceAsync(cmd);
        var retry = await h.Ecs.CreateServiceAsync(cmd);
        Assert.Equal(first.Primary.Id, retry.Primary.Id);
        var e = await Rejects(() => h.Ecs.CreateServiceAsync(cmd with { ClientToken = "t-2" }));
        Assert.Equal("Creation of service was not idempotent.", e.Message);
    }

    [Fact]
    public async Task UpdateService_StartsADeploymentOnlyForANewTaskDefinition()
    {
        await using var h = await EcsHarness.StartAsync();
        await h.Ecs.CreateClusterAsync(new CreateClusterCommand("demo"));
        await h.TaskDefinitionAsync("echo");
        var created = await h.Ecs.CreateServiceAsync(new CreateEcsServiceCommand { Cluster = "demo", ServiceName = "svc", TaskDefinition = "echo", DesiredCount = 1 });

        var scaled = await h.Ecs.UpdateServiceAsync(new UpdateEcsServiceCommand { Cluster = "demo", Service = "svc", DesiredCount = 3 });
        Assert.Equal(created.Primary.Id, Assert.Single(scaled.Deployments).Id);
        Assert.Equal(3, scaled.Primary.DesiredCount);

        await h.TaskDefinitionAsync("echo");
        var rolled = await h.Ecs.UpdateServiceAsync(new UpdateEcsServiceCommand { Cluster = "demo", Service = "svc", TaskDefinition = "echo:2" });
        Assert.Equal(2, rolled.Deployments.Count);
        Assert.Equal(DeploymentStatus.Primary, rolled.Primary.Status);
        Assert.EndsWith("echo:2", rolled.Primary.TaskDefinitionArn, StringComparison.Ordinal);
        Assert.Equal((created.Primary.Id, DeploymentStatus.Active), (rolled.Deployments[1].Id, rolled.Deployments[1].Status));
    }

    [Fact]
    public async Task ServiceRegistry_WithSrvRecords_NeedsTheContainerPortInBridgeMode()
    {
        await using var h = await EcsHarness.StartAsync();
        await h.Ecs.CreateClusterAsync(new CreateClusterCommand("demo"));
        await h.TaskDefinitionAsync("echo", EcsHarness.Container("api", 80));
        await h.CloudMap.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.DnsPrivate, "domaina", Vpc: "vpc-1"));
        var ns = h.Inner.Snapshot.FindNamespaceByName("domaina")!;
        var svc = await h.CloudMap.CreateServiceAsync(new CreateServiceCommand("echoservice", ns.Id,
            DnsConfig: new DnsConfig { DnsRecords = [new DnsRecord(RecordType.A, 60), new DnsRecord(RecordType.Srv, 60)] }));

        var cmd = new CreateEcsServiceCommand { Cluster = "demo", ServiceName = "svc", TaskDefinition = "echo", DesiredCount = 1, ServiceRegistries = [new ServiceRegistrySpec(svc.Arn, null, null, null)] };
        var e = await Rejects(() => h.Ecs.CreateServiceAsync(cmd));
        Assert.Contains("you must specify containerName and containerPort", e.Message, StringComparison.Ordinal);
        await h.Ecs.CreateServiceAsync(cmd with { ServiceRegistries = [new ServiceRegistrySpec(svc.Arn, null, "api", 80)] });

        // The Cloud Map service is guarded: deleting it under an ECS service that registers in it is Cloud Map's
        // business (ResourceInUse needs instances), but a create against a deleted one must fail.
        await h.CloudMap.DeleteServiceAsync(svc.Id);
        e = await Rejects(() => h.Ecs.CreateServiceAsync(cmd with { ServiceName = "svc2", ServiceRegistries = [new ServiceRegistrySpec(svc.Arn, null, "api", 80)] }));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopTask_RecordsWhoAskedAndPrune_ForgetsOldStoppedTasks()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var h = await EcsHarness.StartAsync(time);
        await h.Ecs.CreateClusterAsync(new CreateClusterCommand("demo"));
        await h.TaskDefinitionAsync("echo");
        var run = await h.Ecs.RunTaskAsync(new RunTaskCommand { Cluster = "demo", TaskDefinition = "echo", Count = 2 });
        Assert.Equal(2, run.Tasks.Count);
        Assert.All(run.Tasks, t => Assert.Equal((EcsTaskStatus.Provisioning, EcsTaskStatus.Running, "family:echo"), (t.LastStatus, t.DesiredStatus, t.Group)));

        var stopped = await h.Ecs.StopTaskAsync("demo", run.Tasks[0].Arn, "maintenance");
        Assert.Equal((EcsTaskStatus.Stopped, StopCodes.UserInitiated, "maintenance"), (stopped.DesiredStatus, stopped.StopCode, stopped.StoppedReason));

        // The agent reports the task STOPPED; an hour later it is forgotten, and the running one is kept.
        await h.Ecs.UpdateTaskAsync(stopped.Id, t => t with { LastStatus = EcsTaskStatus.Stopped, StoppedAt = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await h.Ecs.PruneAsync());
        Assert.Null(h.Inner.Snapshot.Ecs.Task(stopped.Id));
        Assert.NotNull(h.Inner.Snapshot.Ecs.Task(run.Tasks[1].Id));
        var e = await Rejects(() => h.Ecs.DeleteClusterAsync("demo"));
        Assert.Equal(EcsErrors.ClusterContainsTasks, e.Code);
    }
}
