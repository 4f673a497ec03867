using System.Globalization;
using Portolan.Health.Bench;
using Portolan.Health.Subjects;

// portolan-health-bench targets    FIRST LAST PORTS BASE_PORT           serve 127.0.1.FIRST..LAST x PORTS until killed
// portolan-health-bench scale      ADDRESSES PORTS BASE_PORT INTERVAL_S DURATION_S http|tcp
// portolan-health-bench propagation SERVICES PARALLEL INTERVAL_S DATA_DIR
static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
static TimeSpan Seconds(string s) => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture));

switch (args.FirstOrDefault())
{
    case "targets":
        using (var targets = new LoopbackTargets())
        {
            targets.Start(LoopbackTargets.EndPoints(Int(args[1]), Int(args[2]), Int(args[3]), Int(args[4])));
            Console.WriteLine("ready");
            await Task.Delay(Timeout.Infinite);
        }
        return 0;
    case "scale":
        return await ScaleRun.RunAsync(Int(args[1]), Int(args[2]), Int(args[3]), Seconds(args[4]), Seconds(args[5]),
            args[6] == "tcp" ? ProbeProtocol.Tcp : ProbeProtocol.Http1);
    case "propagation":
        return await PropagationRun.RunAsync(Int(args[1]), Int(args[2]), Seconds(args[3]), args[4]);
    default:
        Console.Error.WriteLine("usage: portolan-health-bench targets|scale|propagation ... (see bench/health/run.sh)");
        return 2;
}
