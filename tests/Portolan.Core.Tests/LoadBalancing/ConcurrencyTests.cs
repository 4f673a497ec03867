using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.LoadBalancing;

/// <summary>
/// Concurrent writers on one store: configuration writes serialise on the config key (a lost race re-plans against
/// the winner's state), registrations on their group's key, so nothing is lost and no rule is broken by a race.
/// </summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Racing_listeners_for_one_port_leave_exactly_one()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lbs = new List<LoadBalancerRecord>();
        for (var i = 0; i < 6; i++) lbs.Add(await h.LoadBalancerAsync($"lb-{i}"));

        var outcomes = await Task.WhenAll(lbs.Select(async lb =>
        {
            try
            {
                await h.Registry.CreateListenerAsync(new CreateListenerCommand
                {
                    LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = 8080, DefaultActions = [new RuleAction
                    {
                        Type = ActionType.FixedResponse, FixedResponse = new FixedResponseConfig(200, "text/plain", lb.Name),
                    }],
                });
                return "ok";
            }
            catch (RegistryException e)
            {
                return e.Code;
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o == "ok"));
        Assert.All(outcomes.Where(o => o != "ok"), o => Assert.Equal(ElbErrors.DuplicateListener, o));
        Assert.Single(h.Lb.Listeners);
    }

    [Fact]
    public async Task Racing_registrations_all_land_and_racing_creates_of_one_name_make_one()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription($"10.0.0.{i}")])));
        Assert.Equal(20, h.Lb.FindTargetGroup(tg.Arn)!.Targets.Count);

        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => h.LoadBalancerAsync("same")));
        Assert.Single(created.Select(lb => lb.Arn).Distinct());
        Assert.Single(h.Lb.LoadBalancers);
    }
}
