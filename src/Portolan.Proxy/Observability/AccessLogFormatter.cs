using System.Globalization;
using System.Text;

namespace Portolan.Proxy.Observability;

/// <summary>
/// Writes an entry in ALB's access-log line format (space-separated, quoted where ALB quotes, <c>-</c> for
/// absent values, priority <c>0</c> for the default rule and <c>-1</c> when no rule ran), so existing parsers and
/// Athena tables read it.
/// </summary>
internal static class AccessLogFormatter
{
    public static void Append(StringBuilder line, in AccessLogEntry e)
    {
        var inv = CultureInfo.InvariantCulture;
        line.Append(e.Type).Append(' ')
            .Append(e.Completed.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", inv)).Append(' ')
            .Append(e.LoadBalancer).Append(' ');
        AppendEndpoint(line, e.ClientAddress, e.ClientPort);
        line.Append(' ').Append(e.Target ?? "-").Append(' ');
        AppendSeconds(line, e.RequestProcessingTime);
        AppendSeconds(line, e.TargetProcessingTime);
        AppendSeconds(line, e.Target is null ? -1 : 0);
        line.Append(e.ElbStatus.ToString(inv)).Append(' ')
            .Append(e.TargetStatus == 0 ? "-" : e.TargetStatus.ToString(inv)).Append(' ')
            .Append(e.ReceivedBytes.ToString(inv)).Append(' ')
            .Append(e.SentBytes.ToString(inv)).Append(" \"")
            .Append(e.Method).Append(' ').Append(e.Scheme).Append("://").Append(e.Host).Append(':').Append(e.Port.ToString(inv))
            .Append(string.IsNullOrEmpty(e.Path) ? "/" : e.Path).Append(e.Query).Append(' ').Append(e.Protocol).Append("\" ");
        Quoted(line, e.UserAgent).Append(" - - ")
            .Append(e.TargetGroup ?? "-").Append(' ');
        Quoted(line, e.TraceId).Append(' ');
        Quoted(line, null).Append(' '); // domain_name: SNI, not recorded
        Quoted(line, null).Append(' '); // chosen_cert_arn
        line.Append(e.MatchedRulePriority.ToString(inv)).Append(' ')
            .Append(e.Received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", inv)).Append(' ');
        Quoted(line, e.Actions).Append(' ');
        Quoted(line, e.RedirectUrl).Append(' ');
        Quoted(line, e.ErrorReason).Append(' ');
        Quoted(line, e.Target).Append(' ');
        Quoted(line, e.TargetStatus == 0 ? null : e.TargetStatus.ToString(inv)).Append(" \"-\" \"-\" -");
    }

    private static void AppendEndpoint(StringBuilder line, string? address, int port)
    {
        if (address is null)
        {
            line.Append('-');
            return;
        }
        line.Append(address).Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendSeconds(StringBuilder line, double seconds) =>
        line.Append(seconds < 0 ? "-1" : seconds.ToString("0.000", CultureInfo.InvariantCulture)).Append(' ');

    private static StringBuilder Quoted(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value)) return line.Append("\"-\"");
        line.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') line.Append('\\');
            line.Append(c < ' ' ? ' ' : c);
        }
        return line.Append('"');
    }
}
