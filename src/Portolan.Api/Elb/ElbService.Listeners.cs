using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

internal sealed partial class ElbService
{
    private async ValueTask CreateListener(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var listener = await _registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = i.Required("LoadBalancerArn"),
            Protocol = i.Enum<ElbProtocol>("Protocol"),
            Port = i.Int("Port"),
            SslPolicy = i.Str("SslPolicy"),
            CertificateArns = CertificateArns(i),
            AlpnPolicy = i.List("AlpnPolicy"),
            DefaultActions = Requests.Actions(i, "DefaultActions"),
            Tags = i.Tags("Tags"),
        }, ct);
        x.List("Listeners", [listener], ElbWriter.Listener);
    }

    private ValueTask DescribeListeners(QueryInput i, QueryXml x)
    {
        var s = Current;
        var lbArn = i.Str("LoadBalancerArn");
        var arns = i.List("ListenerArns");
        if ((lbArn is null) == (arns.Count == 0)) throw Errors.Validation("You must specify either listener ARNs or a load balancer ARN");
        var all = lbArn is not null
            ? s.ListenersOf(Require(s, lbArn))
            : arns.Distinct(StringComparer.Ordinal).Select(a => RequireListener(s, a)).ToList();
        // Ports are unique on the host, so the port orders and pages listeners.
        var (page, next) = Paging.Page(all, l => Paging.NumberKey(l.Record.Port), i);
        x.List("Listeners", page.Select(l => l.Record), ElbWriter.Listener);
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    private async ValueTask ModifyListener(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var listener = await _registry.ModifyListenerAsync(new ModifyListenerCommand
        {
            ListenerArn = i.Required("ListenerArn"),
            Protocol = i.Enum<ElbProtocol>("Protocol"),
            Port = i.Int("Port"),
            SslPolicy = i.Str("SslPolicy"),
            CertificateArns = i.Has("Certificates") ? CertificateArns(i) : null,
            AlpnPolicy = i.Has("AlpnPolicy") ? i.List("AlpnPolicy") : null,
            DefaultActions = i.Has("DefaultActions") ? Requests.Actions(i, "DefaultActions") : null,
        }, ct);
        x.List("Listeners", [listener], ElbWriter.Listener);
    }

    private async ValueTask DeleteListener(QueryInput i, CancellationToken ct) =>
        await _registry.DeleteListenerAsync(i.Required("ListenerArn"), ct);

    private async ValueTask AddListenerCertificates(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var arn = i.Required("ListenerArn");
        var added = CertificateArns(i);
        var all = await _registry.AddListenerCertificatesAsync(arn, added, ct);
        x.List("Certificates", all.Where(c => added.Contains(c.CertificateArn, StringComparer.Ordinal)), ElbWriter.Certificate);
    }

    private async ValueTask RemoveListenerCertificates(QueryInput i, CancellationToken ct) =>
        await _registry.RemoveListenerCertificatesAsync(i.Required("ListenerArn"), CertificateArns(i), ct);

    private ValueTask DescribeListenerCertificates(QueryInput i, QueryXml x)
    {
        var listener = RequireListener(Current, i.Required("ListenerArn"));
        var (page, next) = Paging.Page(listener.Record.Certificates, c => (c.IsDefault ? "0" : "1") + c.CertificateArn, i);
        x.List("Certificates", page, ElbWriter.Certificate);
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    private static List<string> CertificateArns(QueryInput i) =>
        i.Structs("Certificates", p => i.Str(p + ".CertificateArn") ?? throw i.Missing(p + ".CertificateArn"));

    private static ListenerEntry RequireListener(LoadBalancingSnapshot s, string arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.Listener)) throw Errors.Validation($"'{arn}' is not a valid listener ARN");
        return s.FindListener(arn) ?? throw new AwsServiceException(ElbErrors.ListenerNotFound, "One or more listeners not found");
    }
}
