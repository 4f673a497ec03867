// Runs Cloud Map calls with the AWS SDK for JavaScript v3 (a second real client, for operations newer than
// Debian's aws CLI 2.9.19) and prints one JSON result per call.
//
// Input (stdin): a JSON array of calls, run in order: [{"op": "DiscoverInstancesRevision", "input": {...}}, ...].
// Output (stdout): a JSON array, one entry per call:
//   {"ok": true, "output": {...}}                                   (the SDK's output, $metadata removed)
//   {"ok": false, "error": {"name", "message", "httpStatusCode"}}   (a modeled or unmodeled service error)
// Environment: PORTOLAN_ENDPOINT (required, e.g. http://127.0.0.1:7766), PORTOLAN_DISABLE_HOST_PREFIX=true to send
// DiscoverInstances* to the endpoint itself instead of data-<host> (the SDK's disableHostPrefix option).
import * as sd from "@aws-sdk/client-servicediscovery";

const endpoint = process.env.PORTOLAN_ENDPOINT;
if (!endpoint) {
  console.error("PORTOLAN_ENDPOINT is not set");
  process.exit(2);
}

const client = new sd.ServiceDiscoveryClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
  disableHostPrefix: process.env.PORTOLAN_DISABLE_HOST_PREFIX === "true",
});

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
};

const calls = JSON.parse(await readStdin());
const results = [];
for (const { op, input } of calls) {
  const Command = sd[`${op}Command`];
  if (!Command) {
    console.error(`unknown operation ${op}`);
    process.exit(2);
  }
  try {
    const { $metadata, ...output } = await client.send(new Command(input ?? {}));
    results.push({ ok: true, output });
  } catch (e) {
    if (e.$metadata === undefined) throw e; // not a service error: a bug in the test or no connection
    results.push({ ok: false, error: { name: e.name, message: e.message, httpStatusCode: e.$metadata.httpStatusCode } });
  }
}
process.stdout.write(JSON.stringify(results));
