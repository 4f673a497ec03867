using System.Globalization;
using System.Text;
using Portolan.Storage;
using Portolan.Storage.Sqlite;

// Usage: Portolan.Storage.CrashHelper <db-path> [writers]
// Several concurrent writers each commit transactions of two puts ("<k>/a", "<k>/b") and print
// "ack <revision> <k>" only after TxnAsync returned, i.e. after the store acknowledged the write as durable.
// The parent test kills this process with SIGKILL mid-stream and checks every printed ack survived.
// Bounded in count and time so a forgotten child cannot run forever.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Portolan.Storage.CrashHelper <db-path> [writers]");
    return 2;
}

var writers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
const int MaxTxnsPerWriter = 250_000;
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
await using var store = await SqliteStore.OpenAsync(args[0]);
Console.Out.WriteLine("ready");

var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var i = 0; i < MaxTxnsPerWriter && !deadline.IsCancellationRequested; i++)
    {
        var key = $"/crash/w{w}/{i:D8}";
        var value = Encoding.UTF8.GetBytes(key);
        var result = await store.TxnAsync(new Txn(
            [Compare.Absent(key + "/a")],
            [TxnOp.Put(key + "/a", value), TxnOp.Put(key + "/b", value)]));
        if (!result.Succeeded)
        {
            Console.Error.WriteLine($"unexpected compare failure on {key}");
            return;
        }

        // Console.Out is synchronized and auto-flushed: each line reaches the pipe whole, right away.
        Console.Out.WriteLine($"ack {result.Revision} {key}");
    }
})).ToArray();

await Task.WhenAll(tasks);
return 0;
