using System.Globalization;

namespace Portolan.Tasks.Wiring;

/// <summary>
/// Counts established TCP connections to a local port, from <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>: how the
/// runtime tells that a draining task is idle (no client, no load balancer connection left on it).
/// </summary>
internal static class ConnectionCounter
{
    private const string EstablishedState = "01";

    public static int Established(int localPort)
    {
        var count = 0;
        foreach (var file in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (IOException)
            {
                continue;
            }
            // "  sl  local_address rem_address   st …", addresses as HEXIP:HEXPORT.
            for (var i = 1; i < lines.Length; i++)
            {
                var fields = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != EstablishedState) continue;
                var local = fields[1];
                if (int.TryParse(local.AsSpan(local.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port) && port == localPort) count++;
            }
        }
        return count;
    }
}
